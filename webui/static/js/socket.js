// The WebSocket to /ws: parses each message, reconnects with exponential
// backoff (1 s … 15 s) and asks for preview frames while the preview is on.
// See webui/doc.go for the protocol.

// connect opens the socket; onMessage gets every parsed message and onConn
// each connection change ('connecting', 'open', 'closed'). It returns
// {setPreview(on)}.
export function connect({ onMessage, onConn }) {
  let ws = null;
  let backoff = 1000;
  let preview = false;

  function open() {
    const proto = location.protocol === 'https:' ? 'wss://' : 'ws://';
    let sock;
    try {
      sock = new WebSocket(proto + location.host + '/ws' + (preview ? '?preview=1' : ''));
    } catch (_) {
      retry();
      return;
    }
    ws = sock;
    onConn('connecting');
    sock.onopen = () => { backoff = 1000; onConn('open'); };
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
    const wait = backoff + Math.floor(Math.random() * 300);
    backoff = Math.min(backoff * 2, 15000);
    setTimeout(open, wait);
  }

  open();
  return {
    setPreview(on) {
      preview = on;
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'preview', on }));
    },
  };
}
