// Package secrets keeps the credentials of output and app instances: a
// [Store] maps a name such as "output/slack/soc" or
// "app/duo_auth/prod_collector" to a [Value], the properties a plugin's
// schema marks as credentials. The host fetches a Value only for the call
// that needs it; nothing here caches plaintext.
//
// Two implementations are planned behind [Store] (DESIGN.md §2): the
// embedded [FileStore] here, and an SSM Parameter Store (KMS) one for the
// AWS runtime. The interface therefore speaks only of names and values,
// takes a context first, and its name rules ([ValidateName]) are the
// intersection of what is safe as a file name everywhere and what SSM
// accepts as a parameter path. The plaintext of a Value is the same JSON
// object of strings StreamAlert writes to SSM (reference §5.3, §6.1), so
// secrets move between the two stores, and to and from StreamAlert, with
// plain tools.
//
// # The embedded store
//
// A FileStore keeps one age-encrypted file per secret in one flat
// directory: "output/slack/soc" is stored as "output+slack+soc.age" ("+"
// cannot occur in a name, so the mapping is reversible). One file per
// secret rather than one file for all: writers of different secrets never
// contend, a write rewrites only the secret it changes, and a damaged file
// costs one secret, not all. A flat directory rather than nested ones:
// every write, rename and directory fsync happens in one directory, Delete
// leaves no empty directories behind, and no name's directory can collide
// with another name's file. Every write goes to a temporary file that is
// fsynced, renamed over the old one and followed by an fsync of the
// directory, so a crash leaves either the old value or the new one. Files
// are 0600 and the directory 0700. The files decrypt with the stock tool:
//
//	age -d -i key.txt output+slack+soc.age
//
// The key is an age X25519 identity kept outside the store, in a 0600 file
// ([LoadKeyFile], created by [GenerateKey] at `sa init`) or in the
// environment variable SA_SECRET_KEY ([KeyFromEnv]); [LoadKey] picks one.
//
// # Rotating the key
//
// [FileStore.Rotate] re-encrypts every secret to a new key, one atomic
// rewrite per secret, and reads with the old and new keys alike while it
// runs, so an interrupted rotation is finished by running it again. The
// procedure for a key file (what `sa secrets rotate` does):
//
//  1. Stop `sa serve`, so no process keeps writing with the old key.
//  2. Create the new key beside the old: GenerateKey(key + ".new").
//  3. Open the store with the old key and Rotate(ctx, newKey). If it fails
//     (a damaged secret, a full disk), fix the cause and run Rotate again
//     with the same new key; nothing is lost while both key files exist.
//  4. Rename key to key.old, then key.new to key.
//  5. Start `sa serve`; once it reads its secrets, delete key.old (and its
//     backups).
//
// With SA_SECRET_KEY the same steps hold with a key from [NewKey], whose
// [Key.Secret] is then stored wherever the environment variable comes from.
//
// # Plaintext in memory
//
// Decryption happens in the call that asks for a Value, into a buffer this
// package owns and zeroes once the Value is built; the encoding buffer of
// Put is zeroed the same way, and the key file's bytes after parsing. Go
// limits what that achieves, and the zeroing narrows the window rather than
// closing it: the Value's strings are immutable and live until the garbage
// collector reuses their memory, the collector may have copied buffers
// before they were zeroed, age keeps a chunk of plaintext in its own
// buffers, encoding/json makes temporaries when it unescapes, the
// environment variable and the parsed key line are strings, and age holds
// the key in a byte slice this package cannot reach.
// Against a reader of process memory, only a short process lifetime or a
// KMS-backed store helps.
package secrets
