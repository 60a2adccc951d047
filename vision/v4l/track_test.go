package v4l

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// The tracker's decisions, observation by observation, on a made-up
// timeline (ms since start).
func TestTracker(t *testing.T) {
	zoom := Holder{PID: 100, Name: "zoom"}
	pw := Holder{PID: 50, Name: "pipewire"}
	free := view{present: true}
	by := func(hs ...Holder) view { return view{present: true, holders: hs} }
	gone := view{}

	type obs struct {
		ms     int
		v      view
		opened bool
		want   string // events reported, "" for none
	}
	cases := []struct {
		name string
		obs  []obs
	}{
		{"holder kept past grace is reported once", []obs{
			{0, by(zoom), true, ""},
			{100, by(zoom), false, ""},
			{400, by(zoom), false, "in use by zoom (pid 100)"},
			{900, by(zoom), false, ""},
			{5000, by(zoom), true, ""},
		}},
		{"a probe is not reported", []obs{
			{0, by(pw), true, ""},
			{3, free, false, ""},
			{400, free, false, ""},
		}},
		{"open seen before the opener's fd is listed: found on the recheck", []obs{
			{0, free, true, ""},
			{400, by(zoom), false, ""},
			{800, by(zoom), false, "in use by zoom (pid 100)"},
		}},
		{"another probe during the grace restarts it", []obs{
			{0, by(pw), true, ""},
			{10, free, false, ""},
			{390, by(zoom), true, ""},
			{400, by(zoom), false, ""},
			{790, by(zoom), false, "in use by zoom (pid 100)"},
		}},
		{"free after the release grace; a quick reopen keeps it in use", []obs{
			{0, by(zoom), true, ""},
			{400, by(zoom), false, "in use by zoom (pid 100)"},
			{1000, free, false, ""},
			{1200, by(zoom), true, ""},
			{3000, by(zoom), false, ""},
			{4000, free, false, ""},
			{5000, free, false, "free"},
			{6000, free, false, ""},
		}},
		{"a probe while in use is not a change", []obs{
			{0, by(zoom), true, ""},
			{400, by(zoom), false, "in use by zoom (pid 100)"},
			{500, by(pw, zoom), true, ""},
			{505, by(zoom), false, ""},
			{900, by(zoom), false, ""},
		}},
		{"a second program that stays is a change; one leaving is reported at once", []obs{
			{0, by(zoom), true, ""},
			{400, by(zoom), false, "in use by zoom (pid 100)"},
			{500, by(pw, zoom), true, ""},
			{900, by(pw, zoom), false, "in use by pipewire (pid 50), zoom (pid 100)"},
			{1000, by(zoom), false, "in use by zoom (pid 100)"},
		}},
		{"gone at once, back after the grace, then its holder", []obs{
			{0, by(zoom), true, ""},
			{400, by(zoom), false, "in use by zoom (pid 100)"},
			{500, gone, false, "gone"},
			{600, gone, false, ""},
			{700, free, false, ""},
			{800, by(pw), true, ""},
			{1100, by(pw), false, "back"},
			{1500, by(pw), false, "in use by pipewire (pid 50)"},
		}},
		{"missing at start", []obs{
			{0, gone, false, "gone"},
			{100, free, false, ""},
			{500, free, false, "back"},
			{600, free, true, ""},
		}},
		{"unplugged again before it settled", []obs{
			{0, gone, false, "gone"},
			{100, free, false, ""},
			{200, gone, false, ""},
			{500, gone, false, ""},
			{600, free, false, ""},
			{1000, free, false, "back"},
		}},
		{"our own opens alone report nothing", []obs{
			{0, free, true, ""},
			{400, free, false, ""},
			{500, free, false, ""},
		}},
	}
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := newTracker(400*time.Millisecond, time.Second)
			for _, o := range c.obs {
				now := t0.Add(time.Duration(o.ms) * time.Millisecond)
				evs := tr.see(now, o.v, o.opened)
				var got []string
				for _, e := range evs {
					got = append(got, e.String())
					if !e.Time.Equal(now) {
						t.Errorf("%d ms: event time %v", o.ms, e.Time)
					}
				}
				if g := strings.Join(got, "; "); g != o.want {
					t.Errorf("%d ms: reported %q, want %q", o.ms, g, o.want)
				}
			}
		})
	}
}

// The tracker asks to be woken when a pending change is due, and not
// otherwise.
func TestTrackerNext(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	tr := newTracker(400*time.Millisecond, time.Second)
	if !tr.next().IsZero() {
		t.Fatal("idle tracker wants a wake-up")
	}
	zoom := view{present: true, holders: []Holder{{PID: 7, Name: "zoom"}}}
	tr.see(at(0), zoom, true)
	if got := tr.next(); !got.Equal(at(400)) {
		t.Errorf("next = %v, want grace after the open", got.Sub(t0))
	}
	tr.see(at(400), zoom, false)
	if got := tr.next(); !got.IsZero() {
		t.Errorf("after reporting, next = %v, want none", got.Sub(t0))
	}
	tr.see(at(1000), view{present: true}, false)
	if got := tr.next(); !got.Equal(at(2000)) {
		t.Errorf("next = %v, want the release grace", got.Sub(t0))
	}
	if st := tr.state(); st.Kind != InUse || !slices.Equal(st.Holders, zoom.holders) {
		t.Errorf("state %v, want still in use until free is confirmed", st)
	}
	tr.see(at(2000), view{present: true}, false)
	if st := tr.state(); st.Kind != Free || !tr.next().IsZero() {
		t.Errorf("state %v next %v", st, tr.next())
	}
	if s := fmt.Sprint(Kind(9)); s != "Kind(9)" {
		t.Errorf("Kind(9) = %q", s)
	}
}
