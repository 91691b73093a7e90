import type { UploadStatus, UploadStatusName } from '@streamdrop/events';
import type { Api } from '../api';
import { ApiError } from '../api';
import { uploadThroughSession } from '../upload/session-upload';
import { CancelledError, PartError, type PutPart } from '../upload/transport';
import { announce, formatBytes, formatTime, h, replace } from './dom';

/** The words the page shows for each status (the API's names, spaced). */
export const STATUS_LABELS: Record<UploadStatusName, string> = {
  'awaiting-upload': 'awaiting upload',
  queued: 'queued',
  processed: 'processed',
  failed: 'failed',
};

const SETTLED: readonly UploadStatusName[] = ['processed', 'failed'];

/** Polling of an unsettled upload: soon at first, then less often, and not forever. */
export const POLL = { firstMs: 1_000, factor: 1.5, maxMs: 5_000, giveUpMs: 15 * 60_000 } as const;

function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof PartError) return `the upload to storage failed: ${error.message}`;
  return 'something went wrong; try again';
}

/**
 * Uploading (pick or drop files; each with its progress bar and a Cancel button) and "My
 * uploads" (newest first, statuses that update themselves until they settle, Download for a
 * processed file, Delete).
 */
export class UploadsView {
  readonly element: HTMLElement;
  private readonly transfers = h('ul', { class: 'transfers', 'aria-label': 'Uploads in progress' });
  private readonly list = h('ul', { class: 'uploads', id: 'uploads' });
  private readonly more = h('div', { class: 'more' });
  private readonly listMessage = h('p', { class: 'list-message', role: 'status' });
  private readonly entries = new Map<string, { status: UploadStatus; item: HTMLLIElement }>();
  private readonly polls = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly active = new Set<AbortController>();
  private stopped = false;

  constructor(
    private readonly api: Api,
    private readonly putPart: PutPart,
    private readonly now: () => number = Date.now,
  ) {
    const input = h('input', {
      type: 'file',
      id: 'file-input',
      multiple: true,
      onchange: () => {
        this.start([...(input.files ?? [])]);
        input.value = '';
      },
    });
    const drop = h(
      'div',
      { class: 'dropzone', id: 'dropzone' },
      h('label', { for: 'file-input' }, 'Choose files to upload'),
      input,
      h('p', { class: 'hint' }, 'or drop them here. Any size; each goes straight to storage.'),
    );
    for (const type of ['dragenter', 'dragover']) {
      drop.addEventListener(type, (event) => {
        event.preventDefault();
        drop.classList.add('dragging');
      });
    }
    drop.addEventListener('dragleave', () => drop.classList.remove('dragging'));
    drop.addEventListener('drop', (event) => {
      event.preventDefault();
      drop.classList.remove('dragging');
      this.start([...((event as DragEvent).dataTransfer?.files ?? [])]);
    });

    this.element = h(
      'div',
      {},
      h(
        'section',
        { 'aria-labelledby': 'upload-heading', class: 'card' },
        h('h2', { id: 'upload-heading' }, 'Upload files'),
        drop,
        this.transfers,
      ),
      h(
        'section',
        { 'aria-labelledby': 'my-uploads-heading', class: 'card' },
        h(
          'div',
          { class: 'section-head' },
          h('h2', { id: 'my-uploads-heading' }, 'My uploads'),
          h('button', { type: 'button', class: 'secondary', onclick: () => void this.load() }, 'Refresh'),
        ),
        this.listMessage,
        this.list,
        this.more,
      ),
    );
  }

  /** Loads the first page of My uploads (again). */
  async load(): Promise<void> {
    this.listMessage.textContent = 'Loading your uploads…';
    try {
      const page = await this.api.uploads();
      for (const timer of this.polls.values()) clearTimeout(timer);
      this.polls.clear();
      this.entries.clear();
      replace(this.list);
      for (const upload of page.uploads) this.show(upload, 'end');
      this.pager(page.nextCursor);
      this.listMessage.textContent = page.uploads.length === 0 ? 'No uploads yet.' : '';
    } catch (error) {
      this.listMessage.textContent = `Your uploads could not be loaded: ${describeError(error)}`;
    }
  }

  /** Stops every poll and upload: the person signed out. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.polls.values()) clearTimeout(timer);
    this.polls.clear();
    for (const controller of this.active) controller.abort();
  }

  private pager(cursor: string | undefined): void {
    replace(
      this.more,
      cursor &&
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            onclick: async () => {
              try {
                const page = await this.api.uploads(cursor);
                for (const upload of page.uploads)
                  if (!this.entries.has(upload.uploadId)) this.show(upload, 'end');
                this.pager(page.nextCursor);
              } catch (error) {
                this.listMessage.textContent = `Older uploads could not be loaded: ${describeError(error)}`;
              }
            },
          },
          'Show older uploads',
        ),
    );
  }

  /** Starts one upload per file, all at once; each has its own row. */
  start(files: readonly File[]): void {
    for (const file of files) void this.transfer(file);
  }

  private async transfer(file: File): Promise<void> {
    const controller = new AbortController();
    this.active.add(controller);
    const progress = h('progress', {
      max: Math.max(file.size, 1),
      value: 0,
      'aria-label': `Upload of ${file.name}`,
    });
    const state = h('span', { class: 'transfer-state' }, 'Starting…');
    const cancel = h(
      'button',
      { type: 'button', class: 'secondary', onclick: () => controller.abort() },
      'Cancel',
      h('span', { class: 'visually-hidden' }, ` upload of ${file.name}`),
    );
    const row = h(
      'li',
      { class: 'transfer' },
      h('div', { class: 'row' }, h('span', { class: 'filename' }, file.name), state),
      progress,
      h('div', { class: 'actions' }, cancel),
    );
    this.transfers.prepend(row);
    announce(`Uploading ${file.name}`);
    try {
      const done = await uploadThroughSession(file, {
        api: this.api,
        putPart: this.putPart,
        signal: controller.signal,
        onProgress: (sent, total) => {
          // An attribute, not the property: observers (and tests) see every step.
          progress.setAttribute('value', String(total === 0 ? 1 : sent));
          state.textContent = `${total === 0 ? 100 : Math.floor((sent / total) * 100)} % of ${formatBytes(total)}`;
        },
      });
      state.textContent = `Uploaded: ${STATUS_LABELS[done.status]}`;
      cancel.remove();
      announce(`${file.name} uploaded`);
      row.remove();
      const status = await this.api.upload(done.uploadId).catch(() => undefined);
      if (status) this.show(status, 'start');
    } catch (error) {
      const cancelled = error instanceof CancelledError;
      state.textContent = cancelled ? 'Cancelled' : `Failed: ${describeError(error)}`;
      row.classList.add(cancelled ? 'cancelled' : 'failed');
      announce(cancelled ? `Upload of ${file.name} cancelled` : `Upload of ${file.name} failed`);
      replace(
        row.querySelector('.actions') ?? row,
        h(
          'button',
          { type: 'button', class: 'secondary', onclick: () => row.remove() },
          'Dismiss',
          h('span', { class: 'visually-hidden' }, ` ${file.name}`),
        ),
      );
    } finally {
      this.active.delete(controller);
    }
  }

  /** Adds or updates an upload's entry, and polls it until its status settles. */
  private show(
    upload: UploadStatus,
    where: 'start' | 'end',
    firstSeen = this.now(),
    delayMs: number = POLL.firstMs,
  ): void {
    const existing = this.entries.get(upload.uploadId);
    const changed =
      !existing ||
      existing.status.status !== upload.status ||
      existing.status.processed?.url !== upload.processed?.url;
    // An entry is rebuilt only when it changed, so that keyboard focus inside it is not lost.
    const item = changed ? this.entry(upload) : existing.item;
    if (existing && changed) existing.item.replaceWith(item);
    else if (!existing && where === 'start') this.list.prepend(item);
    else if (!existing) this.list.append(item);
    this.entries.set(upload.uploadId, { status: upload, item });
    this.listMessage.textContent = '';
    if (!SETTLED.includes(upload.status)) this.poll(upload.uploadId, delayMs, firstSeen);
  }

  private poll(uploadId: string, delayMs: number, firstSeen: number): void {
    if (this.stopped || this.polls.has(uploadId)) return;
    if (this.now() - firstSeen > POLL.giveUpMs) return;
    const next = Math.min(POLL.maxMs, delayMs * POLL.factor);
    this.polls.set(
      uploadId,
      setTimeout(async () => {
        this.polls.delete(uploadId);
        if (!this.entries.has(uploadId) || this.stopped) return;
        try {
          const status = await this.api.upload(uploadId);
          const before = this.entries.get(uploadId)?.status.status;
          if (!this.entries.has(uploadId) || this.stopped) return;
          this.show(status, 'start', firstSeen, next);
          if (before !== status.status && SETTLED.includes(status.status)) {
            announce(`${status.filename}: ${STATUS_LABELS[status.status]}`);
          }
        } catch (error) {
          if (error instanceof ApiError && error.status === 404) return this.forget(uploadId);
          this.poll(uploadId, POLL.maxMs, firstSeen);
        }
      }, delayMs),
    );
  }

  private forget(uploadId: string): void {
    const timer = this.polls.get(uploadId);
    if (timer) clearTimeout(timer);
    this.polls.delete(uploadId);
    this.entries.get(uploadId)?.item.remove();
    this.entries.delete(uploadId);
    if (this.entries.size === 0) this.listMessage.textContent = 'No uploads yet.';
  }

  private entry(upload: UploadStatus): HTMLLIElement {
    const label = STATUS_LABELS[upload.status];
    const status =
      upload.status === 'failed' ? `${label}: ${upload.failure?.reason ?? 'no reason was recorded'}` : label;
    const actions = h('div', { class: 'actions' });
    if (upload.status === 'processed' && upload.processed) {
      actions.append(this.downloadLink(upload));
    }
    actions.append(this.deleteButton(upload));
    return h(
      'li',
      { class: 'upload', 'data-upload-id': upload.uploadId, 'data-status': upload.status },
      h('div', { class: 'row' }, h('span', { class: 'filename' }, upload.filename)),
      h('div', { class: 'meta' }, `${formatBytes(upload.size)} · ${formatTime(upload.createdAt)}`),
      h(
        'div',
        { class: `status status-${upload.status}` },
        h('span', { class: 'visually-hidden' }, 'Status: '),
        status,
      ),
      actions,
    );
  }

  private downloadLink(upload: UploadStatus): HTMLAnchorElement {
    const processed = upload.processed;
    const link = h(
      'a',
      { href: processed?.url ?? '#', class: 'button', download: upload.filename, rel: 'noopener' },
      'Download',
      h('span', { class: 'visually-hidden' }, ` ${upload.filename}`),
    );
    // The presigned link lives minutes: past its time, get a fresh one first.
    link.addEventListener('click', async (event) => {
      const expires = Date.parse(this.entries.get(upload.uploadId)?.status.processed?.expiresAt ?? '');
      if (!(expires - this.now() < 10_000)) return;
      event.preventDefault();
      try {
        const fresh = await this.api.upload(upload.uploadId);
        this.show(fresh, 'start');
        if (fresh.processed) window.location.assign(fresh.processed.url);
      } catch (error) {
        announce(`The download could not start: ${describeError(error)}`);
      }
    });
    return link;
  }

  private deleteButton(upload: UploadStatus): HTMLButtonElement {
    let armed: ReturnType<typeof setTimeout> | undefined;
    const button = h(
      'button',
      { type: 'button', class: 'danger' },
      'Delete',
      h('span', { class: 'visually-hidden' }, ` ${upload.filename}`),
    );
    const label = () => button.firstChild;
    button.addEventListener('click', async () => {
      // Two presses: the first asks, the second deletes (no modal dialog to trap the keyboard).
      if (!armed) {
        label()?.replaceWith('Confirm delete');
        armed = setTimeout(() => {
          armed = undefined;
          label()?.replaceWith('Delete');
        }, 5_000);
        return;
      }
      clearTimeout(armed);
      button.disabled = true;
      try {
        await this.api.deleteUpload(upload.uploadId);
        this.forget(upload.uploadId);
        announce(`${upload.filename} deleted`);
      } catch (error) {
        button.disabled = false;
        armed = undefined;
        label()?.replaceWith('Delete');
        announce(`${upload.filename} could not be deleted: ${describeError(error)}`);
      }
    });
    return button;
  }
}
