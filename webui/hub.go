package webui

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// HubOptions tune the WebSocket hub. Zero values take the defaults.
type HubOptions struct {
	// SampleInterval is the minimum time between two samples to one client
	// (default 200 ms, i.e. at most 5 samples per second). Newer samples
	// replace older unsent ones.
	SampleInterval time.Duration
	// QueueSize is how many never-dropped messages (events, status, stats,
	// reps) may wait for one client; a client that falls further behind is
	// disconnected as too slow (default 256).
	QueueSize int
	// WriteTimeout bounds every write to a client; a client that does not
	// take a message within it is disconnected (default 5 s).
	WriteTimeout time.Duration
	// PingInterval is how often the server pings (default 20 s); a client
	// that does not answer within PongWait (default 45 s) is dropped.
	PingInterval time.Duration
	PongWait     time.Duration
}

func (o *HubOptions) defaults() {
	if o.SampleInterval <= 0 {
		o.SampleInterval = 200 * time.Millisecond
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 256
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 5 * time.Second
	}
	if o.PongWait <= 0 {
		o.PongWait = 45 * time.Second
	}
	if o.PingInterval <= 0 || o.PingInterval >= o.PongWait {
		o.PingInterval = o.PongWait * 4 / 9
	}
}

// Hub owns the WebSocket clients, in the style of the gorilla chat example:
// one goroutine holds the client set; publishers hand it messages.
//   - reliable messages (events, status, stats, reps) are queued per client
//     and never dropped; a client whose queue is full is disconnected;
//   - samples and preview frames are "latest value wins" per client, and
//     samples go out at most once per SampleInterval.
type Hub struct {
	opts HubOptions
	log  *slog.Logger

	register   chan *client
	unregister chan *client
	broadcast  chan []byte
	previewReq chan previewRequest
	quit       chan struct{}
	done       chan struct{}
	stopOnce   sync.Once
	startOnce  sync.Once

	sampleNotify  chan struct{}
	latestSample  atomic.Pointer[[]byte]
	previewNotify chan struct{}
	latestPreview atomic.Pointer[[]byte]

	// onPreviewWanted is called (from the hub goroutine) when the first
	// client asks for preview frames and when the last one stops.
	onPreviewWanted func(bool)

	nClients     atomic.Int64
	previewOn    atomic.Bool
	slowDropped  atomic.Int64
	hello        func(preview bool) []byte
	clientsForGC map[*client]bool // owned by run
}

type previewRequest struct {
	c  *client
	on bool
}

type client struct {
	hub  *Hub
	conn *websocket.Conn
	send chan []byte // reliable messages; closed by the hub only

	mu           sync.Mutex
	sample       []byte
	preview      []byte
	sampleReady  chan struct{}
	previewReady chan struct{}

	wantsPreview bool // owned by the hub goroutine
}

func newHub(o HubOptions, log *slog.Logger, hello func(bool) []byte) *Hub {
	o.defaults()
	h := &Hub{
		opts:          o,
		log:           log,
		register:      make(chan *client),
		unregister:    make(chan *client),
		broadcast:     make(chan []byte, 1024),
		previewReq:    make(chan previewRequest),
		quit:          make(chan struct{}),
		done:          make(chan struct{}),
		sampleNotify:  make(chan struct{}, 1),
		previewNotify: make(chan struct{}, 1),
		hello:         hello,
		clientsForGC:  map[*client]bool{},
	}
	return h
}

// Clients returns the number of connected WebSocket clients.
func (h *Hub) Clients() int { return int(h.nClients.Load()) }

// SlowDisconnects returns how many clients were dropped for being too slow.
func (h *Hub) SlowDisconnects() int64 { return h.slowDropped.Load() }

// PreviewWanted reports whether at least one client asked for preview frames.
func (h *Hub) PreviewWanted() bool { return h.previewOn.Load() }

func (h *Hub) run() {
	defer close(h.done)
	clients := h.clientsForGC
	updatePreview := func() {
		want := false
		for c := range clients {
			if c.wantsPreview {
				want = true
				break
			}
		}
		if h.previewOn.Swap(want) != want && h.onPreviewWanted != nil {
			h.onPreviewWanted(want)
		}
	}
	drop := func(c *client, why string) {
		if !clients[c] {
			return
		}
		delete(clients, c)
		h.nClients.Store(int64(len(clients)))
		close(c.send)
		if why != "" {
			// Unblock a writer stuck on a client that does not read.
			c.conn.Close()
			h.log.Warn("websocket client disconnected", "reason", why, "remote", c.conn.RemoteAddr().String())
		}
		if c.wantsPreview {
			c.wantsPreview = false
			updatePreview()
		}
	}
	for {
		select {
		case c := <-h.register:
			clients[c] = true
			h.nClients.Store(int64(len(clients)))
			if b := h.latestSample.Load(); b != nil {
				c.offer(&c.sample, c.sampleReady, *b)
			}
		case c := <-h.unregister:
			drop(c, "")
		case msg := <-h.broadcast:
			for c := range clients {
				select {
				case c.send <- msg:
				default:
					h.slowDropped.Add(1)
					drop(c, "too slow: its message queue is full")
				}
			}
		case <-h.sampleNotify:
			if b := h.latestSample.Load(); b != nil {
				for c := range clients {
					c.offer(&c.sample, c.sampleReady, *b)
				}
			}
		case <-h.previewNotify:
			if b := h.latestPreview.Load(); b != nil {
				for c := range clients {
					if c.wantsPreview {
						c.offer(&c.preview, c.previewReady, *b)
					}
				}
			}
		case r := <-h.previewReq:
			if clients[r.c] {
				r.c.wantsPreview = r.on
				updatePreview()
			}
		case <-h.quit:
			for c := range clients {
				delete(clients, c)
				close(c.send)
			}
			h.nClients.Store(0)
			if h.previewOn.Swap(false) && h.onPreviewWanted != nil {
				h.onPreviewWanted(false)
			}
			return
		}
	}
}

// start runs the hub (once); the server starts it when it starts serving.
func (h *Hub) start() { h.startOnce.Do(func() { go h.run() }) }

// stop ends the hub and waits for it; a hub never started has nothing to
// wait for (and publishing to it then returns at once).
func (h *Hub) stop() {
	h.startOnce.Do(func() { close(h.done) })
	h.stopOnce.Do(func() { close(h.quit) })
	<-h.done
}

// Broadcast queues a reliable message for every client. It blocks only
// while the hub's own inbox (1024 messages) is full, which the hub drains
// without ever waiting on a client; after shutdown it returns at once.
func (h *Hub) Broadcast(msg []byte) {
	select {
	case h.broadcast <- msg:
	case <-h.done:
	}
}

// SetSample publishes the newest sample; unsent older samples are replaced.
func (h *Hub) SetSample(msg []byte) {
	h.latestSample.Store(&msg)
	select {
	case h.sampleNotify <- struct{}{}:
	default:
	}
}

// SetPreview publishes the newest preview frame to the clients that asked.
func (h *Hub) SetPreview(msg []byte) {
	h.latestPreview.Store(&msg)
	select {
	case h.previewNotify <- struct{}{}:
	default:
	}
}

// offer puts msg in a latest-wins slot and wakes the writer.
func (c *client) offer(slot *[]byte, ready chan struct{}, msg []byte) {
	c.mu.Lock()
	*slot = msg
	c.mu.Unlock()
	select {
	case ready <- struct{}{}:
	default:
	}
}

func (c *client) take(slot *[]byte) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := *slot
	*slot = nil
	return b
}

var upgrader = websocket.Upgrader{
	ReadBufferSize:  4096,
	WriteBufferSize: 16384,
	// The Origin is checked by serveWS before upgrading.
	CheckOrigin: func(r *http.Request) bool { return true },
}

// serve runs one upgraded connection; hello is queued before registration
// so it is always the first message.
func (h *Hub) serve(conn *websocket.Conn, preview bool) {
	c := &client{
		hub:          h,
		conn:         conn,
		send:         make(chan []byte, h.opts.QueueSize),
		sampleReady:  make(chan struct{}, 1),
		previewReady: make(chan struct{}, 1),
	}
	if h.hello != nil {
		c.send <- h.hello(preview)
	}
	select {
	case h.register <- c:
	case <-h.done:
		conn.Close()
		return
	}
	if preview {
		c.setPreview(true)
	}
	go c.writePump()
	c.readPump()
}

func (c *client) setPreview(on bool) {
	select {
	case c.hub.previewReq <- previewRequest{c: c, on: on}:
	case <-c.hub.done:
	}
}

func (c *client) readPump() {
	defer func() {
		select {
		case c.hub.unregister <- c:
		case <-c.hub.done:
		}
		c.conn.Close()
	}()
	c.conn.SetReadLimit(4096)
	_ = c.conn.SetReadDeadline(time.Now().Add(c.hub.opts.PongWait))
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(time.Now().Add(c.hub.opts.PongWait))
	})
	for {
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		_ = c.conn.SetReadDeadline(time.Now().Add(c.hub.opts.PongWait))
		var m clientMessage
		if json.Unmarshal(data, &m) != nil {
			continue // ignore garbage; the browser only sends small commands
		}
		switch m.Type {
		case "preview":
			c.setPreview(m.On)
		}
	}
}

func (c *client) writePump() {
	h := c.hub
	ping := time.NewTicker(h.opts.PingInterval)
	pace := samplePacer{interval: h.opts.SampleInterval}
	defer func() {
		ping.Stop()
		pace.disarm()
		c.conn.Close()
	}()
	write := func(mt int, b []byte) bool {
		_ = c.conn.SetWriteDeadline(time.Now().Add(h.opts.WriteTimeout))
		if err := c.conn.WriteMessage(mt, b); err != nil {
			return false
		}
		return true
	}
	// sendSample writes the newest sample if the pacer lets one go now;
	// otherwise the pacer's timer asks again when it may.
	sendSample := func() bool {
		now := time.Now()
		if !pace.mayGo(now) {
			return true
		}
		b := c.take(&c.sample)
		if b == nil {
			return true
		}
		pace.sent(now)
		return write(websocket.TextMessage, b)
	}
	for {
		select {
		case msg, ok := <-c.send:
			if !ok {
				_ = c.conn.SetWriteDeadline(time.Now().Add(time.Second))
				_ = c.conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "server closing this connection"))
				return
			}
			if !write(websocket.TextMessage, msg) {
				return
			}
		case <-c.sampleReady:
			if !sendSample() {
				return
			}
		case <-pace.C:
			pace.fired()
			if !sendSample() {
				return
			}
		case <-c.previewReady:
			if b := c.take(&c.preview); b != nil && !write(websocket.TextMessage, b) {
				return
			}
		case <-ping.C:
			_ = c.conn.SetWriteDeadline(time.Now().Add(h.opts.WriteTimeout))
			if err := c.conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		}
	}
}

// samplePacer spaces one client's samples at least interval apart. A sample
// may become ready at any moment; the pacer says whether it may go now and,
// if not, arms one timer for when it may. The ready signal and the timer both
// ask it: a timer that fires late, after a sample already went out on its own
// signal, must not send the next one too soon (on a loaded machine that sent
// two samples a few milliseconds apart).
type samplePacer struct {
	interval time.Duration
	last     time.Time // when the last sample went out; zero before the first
	timer    *time.Timer
	C        <-chan time.Time // the armed timer's channel; nil while none is armed
}

// mayGo reports whether a sample may go out at now. If not, it makes sure a
// timer is armed for when one may; if so, it disarms the timer.
func (p *samplePacer) mayGo(now time.Time) bool {
	if wait := nextSampleWait(p.interval, p.last, now); wait > 0 {
		if p.C == nil {
			p.timer = time.NewTimer(wait)
			p.C = p.timer.C
		}
		return false
	}
	p.disarm()
	return true
}

// sent records that a sample went out at now.
func (p *samplePacer) sent(now time.Time) { p.last = now }

// fired records that the armed timer's value was received.
func (p *samplePacer) fired() { p.C = nil }

// disarm stops the timer; since Go 1.23 a stopped timer's channel never
// delivers, and the writer stops selecting on it anyway.
func (p *samplePacer) disarm() {
	if p.timer != nil {
		p.timer.Stop()
	}
	p.C = nil
}

// nextSampleWait is how long a sample must wait before going out, interval
// after the last one (zero: now). A clock that stepped back never makes the
// wait longer than one interval.
func nextSampleWait(interval time.Duration, last, now time.Time) time.Duration {
	if last.IsZero() {
		return 0
	}
	wait := interval - now.Sub(last)
	return min(max(wait, 0), interval)
}
