import type { DescribeStreamResponse } from '@streamdrop/events';
import { type Api, ApiError } from '../api';
import { announce, h, replace } from './dom';

const message = (error: unknown) =>
  error instanceof ApiError ? error.message : 'something went wrong; try again';

/**
 * The administrators' panel over the Kinesis proxy: the streams they may use, one stream's
 * shards, and a test record put onto a stream. Shown only to members of the admin group; the
 * API refuses everyone else anyway (403).
 */
export class StreamsView {
  readonly element: HTMLElement;
  private readonly list = h('ul', { class: 'streams' });
  private readonly shards = h('div', { class: 'shards' });
  private readonly listStatus = h('p', { role: 'status' });
  private readonly select = h('select', { id: 'record-stream', required: true });
  private readonly result = h('p', { role: 'status', class: 'record-result' });

  constructor(private readonly api: Api) {
    const data = h('textarea', { id: 'record-data', rows: 3, required: true });
    const key = h('input', { id: 'record-key', type: 'text', required: true, value: 'web-test' });
    const form = h(
      'form',
      {
        class: 'record-form',
        onsubmit: async (event) => {
          event.preventDefault();
          const stream = this.select.value;
          this.result.textContent = 'Putting the record…';
          try {
            const put = await this.api.putRecord(stream, data.value, key.value);
            this.result.textContent = `Stored in ${put.ShardId} of ${stream} as sequence number ${put.SequenceNumber}.`;
          } catch (error) {
            this.result.textContent = `The record was not stored: ${message(error)}`;
          }
        },
      },
      h('h3', {}, 'Put a test record'),
      h(
        'p',
        { class: 'hint' },
        'A record that is not an upload event reaches the processor and ends as a failure record with its reason.',
      ),
      h('label', { for: 'record-stream' }, 'Stream'),
      this.select,
      h('label', { for: 'record-data' }, 'Data'),
      data,
      h('label', { for: 'record-key' }, 'Partition key'),
      key,
      h('button', { type: 'submit' }, 'Put record'),
      this.result,
    );
    this.element = h(
      'section',
      { 'aria-labelledby': 'streams-heading', class: 'card admin' },
      h(
        'div',
        { class: 'section-head' },
        h('h2', { id: 'streams-heading' }, 'Streams'),
        h('button', { type: 'button', class: 'secondary', onclick: () => void this.load() }, 'List streams'),
      ),
      h(
        'p',
        { class: 'hint' },
        'For administrators: the Kinesis streams this stack lets you see and write to.',
      ),
      this.listStatus,
      this.list,
      this.shards,
      form,
    );
  }

  async load(): Promise<void> {
    this.listStatus.textContent = 'Loading streams…';
    try {
      const { StreamNames } = await this.api.streams();
      replace(
        this.list,
        ...StreamNames.map((name) =>
          h(
            'li',
            {},
            h('span', { class: 'filename' }, name),
            h(
              'button',
              { type: 'button', class: 'secondary', onclick: () => void this.describe(name) },
              'Show shards',
              h('span', { class: 'visually-hidden' }, ` of ${name}`),
            ),
          ),
        ),
      );
      replace(this.select, ...StreamNames.map((name) => h('option', { value: name }, name)));
      this.listStatus.textContent = `${StreamNames.length} stream${StreamNames.length === 1 ? '' : 's'}.`;
    } catch (error) {
      this.listStatus.textContent = `The streams could not be listed: ${message(error)}`;
    }
  }

  private async describe(name: string): Promise<void> {
    replace(this.shards, h('p', { role: 'status' }, `Loading the shards of ${name}…`));
    try {
      replace(this.shards, shardTable(await this.api.stream(name)));
      announce(`Shards of ${name} shown`);
    } catch (error) {
      replace(
        this.shards,
        h('p', { role: 'status' }, `The shards of ${name} could not be read: ${message(error)}`),
      );
    }
  }
}

function shardTable({ StreamDescription: d }: DescribeStreamResponse): HTMLElement {
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      {},
      h(
        'caption',
        {},
        `Shards of ${d.StreamName} (${d.StreamStatus}, ${d.RetentionPeriodHours} h retention)`,
      ),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Shard'),
          h('th', { scope: 'col' }, 'Hash keys'),
          h('th', { scope: 'col' }, 'First sequence number'),
        ),
      ),
      h(
        'tbody',
        {},
        ...d.Shards.map((shard) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, shard.ShardId),
            h('td', {}, `${shard.HashKeyRange.StartingHashKey} – ${shard.HashKeyRange.EndingHashKey}`),
            h('td', {}, shard.SequenceNumberRange.StartingSequenceNumber),
          ),
        ),
      ),
    ),
  );
}
