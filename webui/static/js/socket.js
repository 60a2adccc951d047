// The WebSocket to /ws: parses each message, reconnects when it drops and
// asks for preview frames while the preview is on. See webui/doc.go for the
// protocol.
//
// Reconnecting: the first try comes at once, then the wait doubles from
// 250 ms up to a cap of 2 s, so a server that restarts is found again
// within about two seconds of its return; the browser going online, the tab
// becoming visible and "Retry now" each try at once.

const FIRST_WAIT = 250;
const MAX_WAIT = 2000;

// connect opens the socket; onMessage gets every parsed message and onConn
// each connection change ('connecting', 'open', 'closed'). It returns
// {setPreview(on), retryNow()}.
export function connect({ onMessage, onConn }) {
  let ws = null;
  let wait = FIRST_WAIT;
  let timer = null;
  let preview = false;

  function open() {
    clearTimeout(timer);
    timer = null;
    if (ws) return; // one socket at a time
    const proto = location.protocol === 'https:' ? 'wss://' : 'ws://';
    let sock;
    try {
      sock = new WebSocket(proto + location.host + '/ws' + (preview ? '?preview=1' : ''));
    } catch (_) {
      onConn('closed');
      retry();
      return;
    }
    ws = sock;
    onConn('connecting');
    sock.onopen = () => { wait = FIRST_WAIT; onConn('open'); };
    sock.onmessage = (ev) => {
      let m;
      try { m = JSON.parse(ev.data); } catch (_) { return; }
      onMessage(m);
    };
    sock.onclose = () => {
      if (ws !== sock) return;
      ws = null;
      onConn('closed');
      retry();
    };
    sock.onerror = () => { /* onclose follows */ };
  }

  function retry() {
    if (timer) return;
    const w = wait + Math.floor(Math.random() * wait * 0.2);
    wait = Math.min(wait * 2, MAX_WAIT);
    timer = setTimeout(open, w);
  }

  // now: try at once (when not connected or connecting).
  function now() {
    if (ws) return;
    wait = FIRST_WAIT;
    open();
  }

  window.addEventListener('online', now);
  document.addEventListener('visibilitychange', () => { if (!document.hidden) now(); });

  open();
  return {
    setPreview(on) {
      preview = on;
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'preview', on }));
    },
    retryNow: now,
  };
}
