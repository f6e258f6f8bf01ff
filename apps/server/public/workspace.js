// The ai-scale page, part two: upload documents with a progress bar per file (parsing, OCR,
// embedding, from GET /v1/jobs/{id}/events), the documents list (status, chunks, delete), and an
// agent-run panel that streams the steps of a run (GET /v1/agents/runs/{id}/events) with a Cancel
// button. Plain browser JavaScript, no build step; errors shown are the API's own message.
import { EventSourceParserStream } from '/vendor/eventsource-parser/stream.js';

const $ = (id) => document.getElementById(id);
const apiKey = () => localStorage.getItem('ai-scale.apiKey') || '';
const ACCEPT = '.pdf,.docx,.html,.htm,.md,.markdown,.txt,.png,.jpg,.jpeg,.tif,.tiff,.webp';

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { authorization: `Bearer ${apiKey()}`, ...(options.headers || {}) },
  });
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const message = (body && body.error && body.error.message) || `HTTP ${response.status}`;
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return body;
}

/** Reads an SSE stream of the API, calling `onEvent(name, data)` until it ends. */
async function follow(path, onEvent, signal) {
  const response = await fetch(path, {
    headers: { authorization: `Bearer ${apiKey()}`, accept: 'text/event-stream' },
    signal,
  });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error((body.error && body.error.message) || `HTTP ${response.status}`);
  }
  const reader = response.body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream({ onError: 'terminate' }))
    .getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onEvent(value.event || 'message', JSON.parse(value.data));
  }
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

// ---------- Uploads ----------
const STAGE_LABEL = { parsing: 'parsing', ocr: 'OCR', embedding: 'embedding', indexing: 'indexing' };

async function upload(file) {
  const bar = element('progress', { max: '100', value: '0', 'aria-label': `Progress of ${file.name}` });
  const status = element('span', { class: 'upload-status', text: 'uploading' });
  const item = element(
    'li',
    { class: 'upload', 'data-file': file.name },
    element('span', { class: 'upload-name', text: file.name }),
    bar,
    status,
  );
  $('uploads').append(item);
  try {
    const form = new FormData();
    form.append('file', file, file.name);
    const accepted = await api('/v1/documents', { method: 'POST', body: form });
    status.textContent = 'queued';
    await follow(`/v1/jobs/${encodeURIComponent(accepted.jobId)}/events`, (name, data) => {
      const progress = name === 'progress' ? data.progress : name === 'snapshot' ? data.progress : undefined;
      if (progress && typeof progress === 'object' && typeof progress.percent === 'number') {
        bar.value = progress.percent;
        const of = progress.total ? ` ${progress.current} of ${progress.total}` : '';
        status.textContent = `${STAGE_LABEL[progress.stage] || progress.stage}${of}`;
      }
      if (name === 'snapshot' && data.state === 'completed') {
        bar.value = 100;
        status.textContent = 'ready';
        item.classList.add('ready');
      }
      if (name === 'snapshot' && (data.state === 'failed' || data.state === 'cancelled')) {
        status.textContent = data.error ? data.error.message : data.state;
        item.classList.add('failed');
      }
    });
  } catch (error) {
    status.textContent = error.message;
    item.classList.add('failed');
  }
  void refreshDocuments();
}

function uploadAll(files) {
  for (const file of files) void upload(file);
}

// ---------- Documents ----------
async function refreshDocuments() {
  if (!apiKey()) return;
  const list = $('documents');
  try {
    const { documents } = await api('/v1/documents?limit=50');
    list.replaceChildren(
      ...documents.map((doc) => {
        const remove = element('button', {
          type: 'button',
          class: 'secondary',
          text: 'Delete',
          'aria-label': `Delete ${doc.title || doc.id}`,
        });
        remove.addEventListener('click', async () => {
          try {
            await api(`/v1/documents/${encodeURIComponent(doc.id)}`, { method: 'DELETE' });
            showDocumentsError('');
          } catch (error) {
            showDocumentsError(error.message);
          }
          void refreshDocuments();
        });
        return element(
          'tr',
          { 'data-id': doc.id },
          element('td', { text: doc.title || doc.id }),
          element('td', { class: `doc-status ${doc.status}`, text: doc.status }),
          element('td', { class: 'doc-chunks', text: String(doc.chunkCount) }),
          element('td', {}, remove),
        );
      }),
    );
    showDocumentsError('');
  } catch (error) {
    showDocumentsError(error.message);
  }
}

function showDocumentsError(message) {
  $('documents-error').textContent = message;
}

// ---------- Agent runs ----------
let currentRun;

async function startRun(event) {
  event.preventDefault();
  const question = $('run-question').value.trim();
  if (!question) return;
  $('run-error').textContent = '';
  $('run-steps').replaceChildren();
  try {
    const { runId } = await api('/v1/agents/runs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agent: 'research', input: { question } }),
    });
    currentRun = runId;
    $('run-cancel').disabled = false;
    $('run-status').textContent = 'queued';
    await follow(`/v1/agents/runs/${encodeURIComponent(runId)}/events`, (name, data) => {
      if (name === 'status') $('run-status').textContent = data.status;
      if (name === 'step')
        $('run-steps').append(element('li', { class: 'run-step', text: describeStep(data) }));
      if (name === 'end') {
        $('run-status').textContent = data.status;
        $('run-cancel').disabled = true;
        if (data.output && data.output.answer)
          $('run-steps').append(element('li', { class: 'run-answer', text: data.output.answer }));
      }
      if (name === 'error') $('run-error').textContent = data.error.message;
    });
  } catch (error) {
    $('run-error').textContent = error.message;
    $('run-cancel').disabled = true;
  }
}

function describeStep(step) {
  const summary = step.summary || {};
  const parts = [`step ${step.step}`];
  if (summary.model) parts.push(`model ${summary.model}`);
  if (summary.usage)
    parts.push(
      `${summary.usage.inputTokens ?? 0}+${summary.usage.outputTokens ?? 0} tokens, $${(summary.usage.costUsd ?? 0).toFixed(6)}`,
    );
  const calls = Array.isArray(summary.toolCalls) ? summary.toolCalls : [];
  for (const call of calls) parts.push(`tool ${call.name || call.tool || '?'}`);
  if (summary.stopped) parts.push(`stopped: ${summary.stopped}`);
  return parts.join(' · ');
}

async function cancelRun() {
  if (!currentRun) return;
  try {
    const run = await api(`/v1/agents/runs/${encodeURIComponent(currentRun)}/cancel`, { method: 'POST' });
    $('run-status').textContent = run.status;
    $('run-cancel').disabled = true;
  } catch (error) {
    $('run-error').textContent = error.message;
  }
}

// ---------- Wiring ----------
const picker = $('file-picker');
picker.setAttribute('accept', ACCEPT);
picker.addEventListener('change', () => {
  uploadAll([...picker.files]);
  picker.value = '';
});
const drop = $('drop-zone');
drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  uploadAll([...event.dataTransfer.files]);
});
// The zone is a button for keyboards: Enter or Space opens the file picker.
drop.addEventListener('click', () => picker.click());
drop.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault();
    picker.click();
  }
});
$('refresh-documents').addEventListener('click', () => void refreshDocuments());
$('run-form').addEventListener('submit', startRun);
$('run-cancel').addEventListener('click', cancelRun);
// After app.js stored a new key (its submit handler runs first), list that tenant's documents.
$('key-form').addEventListener('submit', () => setTimeout(() => void refreshDocuments(), 0));
void refreshDocuments();
