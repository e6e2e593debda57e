// Package install is `sa plugin install` and the commands around it:
// finding plugins in indexes (JSON documents over HTTPS or in files),
// choosing a release by semver constraint and protocol version, verifying
// it (the publisher's ed25519 signature over the archive's checksums, the
// archive's sha256 before anything is unpacked, every entry of the
// archive, and the tree hash of its files against the lock), unpacking it
// into a staging directory and moving it into place in one step, and
// recording it in sa.lock (package lockfile). Upgrade, Remove, Lock (more
// platforms in the lock) and Mirror (an offline index) complete the
// lifecycle; Package and GenerateKey are the publisher's side.
//
// The order of every install is chosen so that a kill at any moment leaves
// the previous install working and nothing partial where the plugin host
// looks: see Installer.unpackAndPlace. docs/plugins.md documents the
// formats and the guarantees for users and plugin authors.
package install
