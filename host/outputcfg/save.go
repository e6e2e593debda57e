package outputcfg

import (
	"context"
	"errors"
	"fmt"

	"github.com/streamalert-go/sa/host/secrets"
)

// Save checks c and, when it passes, writes it: the credentials to the
// secret store, then sa.yaml, then outputs.json. When a step fails, the
// steps before it are undone and the error says what failed (and what
// could not be undone, if anything). A configuration that fails its checks
// is an *InvalidError, with the Report beside it.
func (m *Manager) Save(ctx context.Context, c Change) (*Report, error) {
	unlock, err := m.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	st, err := m.load(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	rep, p, err := m.prepare(ctx, c, st)
	if err != nil {
		return rep, err
	}
	if len(rep.Problems) > 0 {
		return rep, &InvalidError{ID: c.ID, Problems: rep.Problems}
	}
	return rep, m.commit(ctx, st, p)
}

// commit writes a plan in order, undoing on failure.
func (m *Manager) commit(ctx context.Context, st *state, p *plan) error {
	var tx undoLog
	name := p.id.SecretName()
	switch {
	case len(p.creds) > 0 && sameValue(st.secret, p.creds):
		// Unchanged: no rewrite, so an update that changes nothing
		// changes no file.
	case len(p.creds) > 0:
		if err := m.opts.Secrets.Put(ctx, name, p.creds); err != nil {
			return err
		}
		tx.add(m.restoreSecret(name, st))
	case st.hasSecret:
		// The change left no credentials; the old ones must not linger.
		if err := m.opts.Secrets.Delete(ctx, name); err != nil && !errors.Is(err, secrets.ErrNotFound) {
			return err
		}
		tx.add(m.restoreSecret(name, st))
	}
	if cur, ok := st.config.outputs[p.id.String()]; !ok || !sameEntry(cur, p.props) {
		data, err := editOutputs(st.config.orig, p.id.String(), p.props, false)
		if err != nil {
			return tx.rollback(fmt.Errorf("%s: outputs.%s: %w", st.config.path, p.id, err))
		}
		if err := st.config.write(data); err != nil {
			return tx.rollback(err)
		}
		tx.add(st.config.restore)
	}
	st.outputs.set(p.id, p.resource)
	if err := st.outputs.writeIfChanged(); err != nil {
		return tx.rollback(err)
	}
	return nil
}

// sameValue reports whether a stored secret already holds want.
func sameValue(have, want secrets.Value) bool {
	if len(have) != len(want) {
		return false
	}
	for k, v := range want {
		if h, ok := have[k]; !ok || h.Reveal() != v.Reveal() {
			return false
		}
	}
	return true
}

// Delete removes id from the three places, in the reverse of the order a
// change writes them: outputs.json, sa.yaml, then the credentials, so that
// nothing is left pointing at credentials already gone. When a step fails,
// the files are put back. An instance configured nowhere is ErrNotFound.
// Delete needs neither the plugin nor a valid name, so that leftovers (an
// uninstalled plugin's instance, an uppercase descriptor from StreamAlert)
// can be cleaned up.
func (m *Manager) Delete(ctx context.Context, id ID) error {
	unlock, err := m.lock()
	if err != nil {
		return err
	}
	defer unlock()
	st, err := m.load(ctx, id)
	if err != nil {
		return err
	}
	inConfig, inOutputs := st.inConfig(id), st.inOutputs(id)
	if !inConfig && !inOutputs && !st.hasSecret {
		return fmt.Errorf("%s is %w", id, ErrNotFound)
	}
	var tx undoLog
	if inOutputs {
		st.outputs.remove(id)
		if err := st.outputs.write(); err != nil {
			return err
		}
		tx.add(st.outputs.restore)
	}
	if inConfig {
		data, err := editOutputs(st.config.orig, id.String(), nil, true)
		if err != nil {
			return tx.rollback(fmt.Errorf("%s: outputs.%s: %w", st.config.path, id, err))
		}
		if err := st.config.write(data); err != nil {
			return tx.rollback(err)
		}
		tx.add(st.config.restore)
	}
	if st.hasSecret {
		if err := m.opts.Secrets.Delete(ctx, id.SecretName()); err != nil && !errors.Is(err, secrets.ErrNotFound) {
			return tx.rollback(err)
		}
	}
	return nil
}

// restoreSecret returns the undo of a write of name: put back the value
// read before it, or remove the new one when there was none (or the old
// one could not be read, in which case nothing referred to it).
func (m *Manager) restoreSecret(name string, st *state) func() error {
	return func() error {
		ctx := context.Background()
		if st.secret != nil {
			return m.opts.Secrets.Put(ctx, name, st.secret)
		}
		if err := m.opts.Secrets.Delete(ctx, name); err != nil && !errors.Is(err, secrets.ErrNotFound) {
			return err
		}
		return nil
	}
}

// undoLog holds the undo steps of a change, last first.
type undoLog struct {
	steps []func() error
}

func (u *undoLog) add(f func() error) { u.steps = append(u.steps, f) }

// rollback undoes every step and returns err, joined with any step that
// could not be undone: the person must learn which place is left changed.
func (u *undoLog) rollback(err error) error {
	for i := len(u.steps) - 1; i >= 0; i-- {
		if uerr := u.steps[i](); uerr != nil {
			err = errors.Join(err, fmt.Errorf("rolling back failed, fix by hand: %w", uerr))
		}
	}
	return err
}
