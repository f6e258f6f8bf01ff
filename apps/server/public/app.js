// The ai-scale demo page: chat with citations and badges, and a live panel drawn from GET /v1/stats.
// Plain browser JavaScript (an ES module), no build step; charts are small hand-drawn SVGs.
import { EventSourceParserStream } from '/vendor/eventsource-parser/stream.js';

(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const SVG = 'http://www.w3.org/2000/svg';
  const POLL_MS = 3000;
  const HISTORY = 60; // samples kept for client-side series (3 minutes at POLL_MS)

  const state = {
    apiKey: localStorage.getItem('ai-scale.apiKey') || '',
    conversationId: undefined,
    queueHistory: [],
    cacheHistory: [],
    timer: undefined,
  };

  // ---------- API ----------
  async function api(path, options = {}) {
    const response = await fetch(path, {
      ...options,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${state.apiKey}`,
        ...(options.headers || {}),
      },
    });
    if (response.status === 204) return { status: 204, body: null };
    const text = await response.text();
    let body = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = { error: { code: 'BAD_RESPONSE', message: text.slice(0, 200) } };
    }
    if (!response.ok && response.status !== 202) {
      const error = new Error((body && body.error && body.error.message) || `HTTP ${response.status}`);
      error.code = body && body.error && body.error.code;
      error.status = response.status;
      throw error;
    }
    return { status: response.status, body };
  }

  async function waitForJob(jobId) {
    for (;;) {
      const { body } = await api(`/v1/jobs/${encodeURIComponent(jobId)}`);
      if (body.state === 'completed') return body.result;
      if (body.state === 'failed') throw new Error((body.error && body.error.message) || 'the job failed');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /** POST /v1/chat in stream mode: reads SSE `token` events, resolves with the `done` answer. */
  async function streamChat(payload, onToken) {
    const response = await fetch('/v1/chat', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${state.apiKey}`,
        accept: 'text/event-stream',
      },
      body: JSON.stringify({ ...payload, mode: 'stream' }),
    });
    if (!response.ok || !(response.headers.get('content-type') || '').includes('text/event-stream')) {
      const body = await response.json().catch(() => ({}));
      const error = new Error((body.error && body.error.message) || `HTTP ${response.status}`);
      error.status = response.status;
      throw error;
    }
    // eventsource-parser (served from the installed package at /vendor/): the whole SSE grammar —
    // multi-line data, CR/CRLF line ends, id/retry fields, comments (the server's heartbeats).
    const events = response.body
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream({ onError: 'terminate' }));
    const reader = events.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const parsed = JSON.parse(value.data);
      if (value.event === 'token') onToken(parsed.text);
      else if (value.event === 'done') {
        reader.cancel().catch(() => undefined);
        return parsed;
      } else if (value.event === 'error') throw new Error(parsed.message || 'stream failed');
    }
    throw new Error('the stream ended without an answer');
  }

  // ---------- chat ----------
  function addMessage(role, text) {
    const item = document.createElement('li');
    item.className = role;
    const body = document.createElement('div');
    body.className = 'text';
    body.textContent = text;
    item.appendChild(body);
    $('messages').appendChild(item);
    item.scrollIntoView({ block: 'end' });
    return item;
  }

  function decorate(item, answer, tier) {
    item.querySelector('.text').textContent = answer.answer;
    const badges = document.createElement('div');
    badges.className = 'badges';
    const badge = (label, className) => {
      const span = document.createElement('span');
      span.className = `badge ${className || ''}`;
      span.textContent = label;
      badges.appendChild(span);
    };
    if (answer.cache) badge(`cached: ${answer.cache}`, 'cached');
    else badge('fresh answer');
    badge(`tier: ${answer.tier || answer.model || tier || 'auto'}`, 'tier');
    badge(`cost: $${Number((answer.usage && answer.usage.costUsd) || 0).toFixed(6)}`, 'cost');
    badge(
      `${(answer.usage && answer.usage.promptTokens) || 0}+${(answer.usage && answer.usage.completionTokens) || 0} tokens`,
      'tokens',
    );
    item.appendChild(badges);
    if (answer.citations && answer.citations.length > 0) {
      const citations = document.createElement('div');
      citations.className = 'citations';
      citations.textContent = 'Sources:';
      answer.citations.forEach((citation, index) => {
        const source = document.createElement('span');
        source.className = 'source';
        source.title = `document ${citation.documentId}, chunk ${citation.chunkId}`;
        source.textContent = ` [${index + 1}] ${citation.documentId.slice(0, 8)}…`;
        citations.appendChild(source);
        void documentTitle(citation.documentId).then((title) => {
          if (title) source.textContent = ` [${index + 1}] ${title}`;
        });
      });
      item.appendChild(citations);
    }
  }

  const titles = new Map();
  /** The title of a cited document (fetched once per document). */
  function documentTitle(documentId) {
    if (!titles.has(documentId)) {
      titles.set(
        documentId,
        api(`/v1/documents/${encodeURIComponent(documentId)}`)
          .then(({ body }) => (body && body.title) || null)
          .catch(() => null),
      );
    }
    return titles.get(documentId);
  }

  async function onAsk(event) {
    event.preventDefault();
    const question = $('question').value.trim();
    if (!question) return;
    if (!state.apiKey) return showError('Enter an API key first (npm start prints the demo key).');
    showError('');
    $('send').disabled = true;
    $('question').value = '';
    addMessage('user', question);
    const item = addMessage('assistant', '…');
    const tier = $('tier').value || undefined;
    const payload = {
      message: question,
      ...(tier ? { tier } : {}),
      ...(state.conversationId ? { conversationId: state.conversationId } : {}),
    };
    try {
      let answer;
      if ($('stream').checked) {
        let text = '';
        answer = await streamChat(payload, (token) => {
          text += token;
          item.querySelector('.text').textContent = text;
        });
      } else {
        const { status, body } = await api('/v1/chat', {
          method: 'POST',
          body: JSON.stringify({ ...payload, mode: 'sync' }),
        });
        answer = status === 202 ? await waitForJob(body.jobId) : body;
      }
      state.conversationId = answer.conversationId || state.conversationId;
      decorate(item, answer, tier);
      void refreshStats();
    } catch (error) {
      item.remove();
      showError(error.message);
    } finally {
      $('send').disabled = false;
      $('question').focus();
    }
  }

  function showError(message) {
    $('chat-error').textContent = message;
  }

  // ---------- charts ----------
  function el(name, attributes, parent) {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
    if (parent) parent.appendChild(node);
    return node;
  }

  /** Draws line series `[{values, color, label}]` over `labels` into an <svg>, with a max label. */
  function lineChart(svg, labels, series, format = (v) => String(Math.round(v * 100) / 100)) {
    const width = svg.clientWidth || 400;
    const height = svg.clientHeight || 110;
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.replaceChildren();
    const pad = { left: 36, right: 8, top: 8, bottom: 16 };
    const all = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v));
    const max = Math.max(1e-9, ...all);
    const count = Math.max(1, labels.length - 1);
    const x = (i) => pad.left + (i / count) * (width - pad.left - pad.right);
    const y = (v) => height - pad.bottom - (v / max) * (height - pad.top - pad.bottom);
    el(
      'line',
      {
        x1: pad.left,
        y1: height - pad.bottom,
        x2: width - pad.right,
        y2: height - pad.bottom,
        stroke: '#e3e6ec',
      },
      svg,
    );
    el('text', { x: 2, y: pad.top + 8 }, svg).textContent = format(max);
    el('text', { x: 2, y: height - pad.bottom }, svg).textContent = '0';
    if (labels.length > 0) {
      el('text', { x: pad.left, y: height - 2 }, svg).textContent = labels[0];
      el('text', { x: width - pad.right, y: height - 2, 'text-anchor': 'end' }, svg).textContent =
        labels[labels.length - 1];
    }
    if (all.length === 0) {
      el('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle' }, svg).textContent = 'no data yet';
      return;
    }
    series.forEach((s, index) => {
      const points = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v || 0).toFixed(1)}`);
      if (points.length === 1) points.push(`${x(1).toFixed(1)},${y(s.values[0] || 0).toFixed(1)}`);
      el(
        'polyline',
        {
          points: points.join(' '),
          fill: 'none',
          stroke: s.color,
          'stroke-width': 2,
          'data-series': s.label,
        },
        svg,
      );
      el(
        'text',
        { x: width - pad.right, y: pad.top + 8 + index * 11, 'text-anchor': 'end', fill: s.color },
        svg,
      ).textContent = s.label;
    });
  }

  function barChart(svg, labels, series, format) {
    const width = svg.clientWidth || 400;
    const height = svg.clientHeight || 110;
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.replaceChildren();
    const pad = { left: 36, right: 8, top: 8, bottom: 16 };
    const max = Math.max(1e-9, ...series.flatMap((s) => s.values));
    el('text', { x: 2, y: pad.top + 8 }, svg).textContent = format(max);
    if (labels.length === 0) {
      el('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle' }, svg).textContent = 'no usage yet';
      return;
    }
    const slot = (width - pad.left - pad.right) / labels.length;
    const barWidth = Math.min(48, Math.max(2, (slot * 0.8) / series.length));
    labels.forEach((label, i) => {
      series.forEach((s, j) => {
        const value = s.values[i] || 0;
        const barHeight = (value / max) * (height - pad.top - pad.bottom);
        el(
          'rect',
          {
            x: pad.left + i * slot + j * barWidth,
            y: height - pad.bottom - barHeight,
            width: barWidth,
            height: barHeight,
            fill: s.color,
            'data-series': s.label,
          },
          svg,
        );
      });
    });
    el('text', { x: pad.left, y: height - 2 }, svg).textContent = labels[0];
    el('text', { x: width - pad.right, y: height - 2, 'text-anchor': 'end' }, svg).textContent =
      labels[labels.length - 1];
  }

  const time = (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

  async function refreshStats() {
    if (!state.apiKey) return;
    try {
      const { body } = await api('/v1/stats');
      const now = new Date().toLocaleTimeString([], {
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
      state.queueHistory = [
        ...state.queueHistory,
        { at: now, value: body.queue.depth + body.queue.active },
      ].slice(-HISTORY);
      state.cacheHistory = [...state.cacheHistory, { at: now, value: body.cache.hitRate }].slice(-HISTORY);
      lineChart(
        $('chart-latency'),
        body.latency.map((p) => time(p.minute)),
        [
          { label: 'p50', color: '#2f6fed', values: body.latency.map((p) => p.p50Ms) },
          { label: 'p99', color: '#e0702f', values: body.latency.map((p) => p.p99Ms) },
        ],
      );
      lineChart(
        $('chart-queue'),
        state.queueHistory.map((p) => p.at),
        [{ label: 'waiting + active', color: '#7a4fd6', values: state.queueHistory.map((p) => p.value) }],
      );
      lineChart(
        $('chart-cache'),
        state.cacheHistory.map((p) => p.at),
        [{ label: 'hit rate', color: '#2e9e5b', values: state.cacheHistory.map((p) => p.value) }],
        (v) => `${Math.round(v * 100)}%`,
      );
      barChart(
        $('chart-tokens'),
        body.usage.map((d) => d.day.slice(5)),
        [{ label: 'tokens', color: '#2f6fed', values: body.usage.map((d) => d.tokens) }],
        (v) => String(Math.round(v)),
      );
      barChart(
        $('chart-cost'),
        body.usage.map((d) => d.day.slice(5)),
        [
          { label: 'cost', color: '#e0702f', values: body.usage.map((d) => d.costUsd) },
          { label: 'saved', color: '#2e9e5b', values: body.usage.map((d) => d.savedCostUsd) },
        ],
        (v) => `$${v.toFixed(4)}`,
      );
      $('live-updated').textContent = `updated ${now}`;
      $('key-status').textContent = 'connected';
    } catch (error) {
      $('key-status').textContent = error.status === 401 ? 'key rejected' : `stats: ${error.message}`;
    }
  }

  function useKey(key) {
    state.apiKey = key.trim();
    localStorage.setItem('ai-scale.apiKey', state.apiKey);
    state.queueHistory = [];
    state.cacheHistory = [];
    clearInterval(state.timer);
    state.timer = setInterval(refreshStats, POLL_MS);
    void refreshStats();
  }

  $('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    useKey($('api-key').value);
  });
  $('chat-form').addEventListener('submit', onAsk);
  $('new-chat').addEventListener('click', () => {
    state.conversationId = undefined;
    $('messages').replaceChildren();
    showError('');
  });
  if (state.apiKey) {
    $('api-key').value = state.apiKey;
    useKey(state.apiKey);
  }
})();
