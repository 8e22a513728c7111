// event-activation's story in the terminal: a signed event wakes one agent; a redelivery is
// deduplicated; a forged signature, a stale timestamp and an oversized body are refused with
// their reasons; and a receiver process killed with SIGKILL after its 2xx loses nothing.
// Runs on PGlite in a temporary folder, or on DATABASE_URL when it is set.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InboxWorkers, SqlInbox, signStandardWebhook, startReceiver } from './index.ts';
import type { AgentHandler, RunningReceiver } from './index.ts';

const SECRET = `whsec_${Buffer.from('demo secret, never use it anywhere').toString('base64')}`;
const SOURCES = [{ name: 'billing', scheme: 'standard-webhooks', secrets: [SECRET] }] as const;
const ROUTES = { 'invoice.paid': 'ledger-agent' };
const RUN = Date.now().toString(36);

// The child role: a receiver whose agent starts and never finishes, to be killed mid-handler.
if (process.env.DEMO_ROLE === 'doomed-receiver') {
  const inbox = await SqlInbox.connect(process.env.DEMO_INBOX_URL);
  const workers = new InboxWorkers({
    inbox,
    leaseTtlMs: 2_000,
    agents: {
      'ledger-agent': async (event) => {
        console.log(`started ${event.deliveryId} ${event.attempt}`);
        await new Promise(() => {});
      },
    },
  }).start();
  const receiver = await startReceiver({ sources: SOURCES, routes: ROUTES, inbox, onStored: () => workers.wake() });
  console.log(`listening ${receiver.url}`);
} else {
  await tellTheStory();
}

async function tellTheStory(): Promise<void> {
  const step = (text: string): void => console.log(`\n▸ ${text}`);
  const folder = process.env.DATABASE_URL === undefined ? await mkdtemp(join(tmpdir(), 'event-activation-demo-')) : undefined;
  const inboxUrl = process.env.DATABASE_URL ?? `pglite://${join(folder as string, 'inbox')}`;
  try {
    step(`open the inbox (${process.env.DATABASE_URL === undefined ? 'PGlite in a temporary folder' : 'DATABASE_URL'}) and start the receiver on a free loopback port`);
    let inbox = await SqlInbox.connect(inboxUrl);
    const ledgerAgent: AgentHandler = async (event) => {
      console.log(`  ledger-agent wakes: ${event.eventType} ${event.deliveryId}, attempt ${event.attempt}, payload ${JSON.stringify(event.payload)}`);
    };
    let workers = new InboxWorkers({ inbox, agents: { 'ledger-agent': ledgerAgent } }).start();
    const receiver = await startReceiver({ sources: SOURCES, routes: ROUTES, inbox, maxBodyBytes: 64 * 1024, onStored: () => workers.wake() });
    console.log(`  ${receiver.url}/webhooks/billing (Standard Webhooks), routes: invoice.paid → ledger-agent`);

    const id = `msg_${RUN}_1`;
    step(`a signed invoice.paid event (${id}) → 2xx only once it is durable, then one agent wakes`);
    await send(receiver, signed(id, Date.now(), { type: 'invoice.paid', data: { invoice: 'inv_42', amount: 1200 } }));
    await until(async () => (await inbox.get('billing', id))?.state === 'done');
    console.log(`  inbox row: ${describeRow(await inbox.get('billing', id))}`);

    step('the sender did not see the answer and delivers the same event again');
    await send(receiver, signed(id, Date.now(), { type: 'invoice.paid', data: { invoice: 'inv_42', amount: 1200 } }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    console.log('  no agent woke: the (source, delivery id) was already in the inbox');

    step('an event no agent handles is recorded, not dropped');
    await send(receiver, signed(`msg_${RUN}_2`, Date.now(), { type: 'customer.created', data: {} }));

    step('three bad requests, each refused before anything is stored');
    const forged = signed(`msg_${RUN}_3`, Date.now(), { type: 'invoice.paid', data: {} });
    forged.headers['webhook-signature'] = signStandardWebhook(`whsec_${Buffer.from('a guessed secret').toString('base64')}`, `msg_${RUN}_3`, forged.headers['webhook-timestamp'], forged.body);
    await send(receiver, forged, 'a forged signature:   ');
    await send(receiver, signed(`msg_${RUN}_4`, Date.now() - 10 * 60_000, { type: 'invoice.paid', data: {} }), 'a stale timestamp:    ');
    await send(receiver, signed(`msg_${RUN}_5`, Date.now(), { type: 'invoice.paid', data: { pad: 'x'.repeat(100_000) } }), 'a 100 KB body:        ');
    console.log(`  inbox: ${JSON.stringify(await inbox.depth())}`);

    await receiver.close();
    await workers.stop();
    await inbox.close();

    step('a receiver process acknowledges an event, its agent starts, and the process is killed with SIGKILL');
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
      env: { ...process.env, DEMO_ROLE: 'doomed-receiver', DEMO_INBOX_URL: inboxUrl },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = readLines(child.stdout);
    const url = (await lines.next(/^listening /)).slice('listening '.length);
    const killedId = `msg_${RUN}_6`;
    await send({ url } as RunningReceiver, signed(killedId, Date.now(), { type: 'invoice.paid', data: { invoice: 'inv_43' } }));
    await lines.next(new RegExp(`^started ${killedId}`));
    console.log(`  pid ${child.pid}: ledger-agent started ${killedId}; kill -9 now`);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    step('a new process opens the same inbox; once the dead worker\'s 2 s lease runs out, the event is handled again');
    inbox = await SqlInbox.connect(inboxUrl, {
      onRepair: (repair) => {
        if (repair.kind === 'stale-lock-broken') console.log(`  the lock of the killed process (pid ${repair.pid}) on the PGlite folder was broken`);
      },
    });
    console.log(`  after the kill: ${describeRow(await inbox.get('billing', killedId))}`);
    workers = new InboxWorkers({ inbox, agents: { 'ledger-agent': ledgerAgent }, pollIntervalMs: 250 }).start();
    await until(async () => (await inbox.get('billing', killedId))?.state === 'done');
    console.log(`  inbox row: ${describeRow(await inbox.get('billing', killedId))}`);
    await workers.stop();
    await inbox.close();
  } finally {
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
  }
  console.log('\nDone: every acknowledged event was handled at least once and marked done once.');
}

interface SignedRequest {
  readonly body: Buffer;
  readonly headers: Record<string, string> & { 'webhook-timestamp': string };
}

function signed(id: string, atMs: number, payload: unknown): SignedRequest {
  const body = Buffer.from(JSON.stringify(payload));
  const timestamp = String(Math.floor(atMs / 1000));
  return {
    body,
    headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signStandardWebhook(SECRET, id, timestamp, body) },
  };
}

async function send(receiver: Pick<RunningReceiver, 'url'>, request: SignedRequest, label = ''): Promise<void> {
  const response = await fetch(`${receiver.url}/webhooks/billing`, { method: 'POST', headers: request.headers, body: request.body });
  console.log(`  ${label}${response.status} ${await response.text()}`);
}

function describeRow(row: Awaited<ReturnType<SqlInbox['get']>>): string {
  if (row === undefined) return 'none';
  return `state ${row.state}, attempts ${row.attempts}${row.doneToken === null ? '' : `, marked done under fencing token ${row.doneToken}`}`;
}

async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the demo waited 30 s for an event to be handled');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function readLines(stream: NodeJS.ReadableStream): { next(pattern: RegExp): Promise<string> } {
  let buffered = '';
  const waiting: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const scan = (): void => {
    for (const waiter of [...waiting]) {
      const line = buffered.split('\n').find((candidate) => waiter.pattern.test(candidate));
      if (line !== undefined) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    scan();
  });
  return {
    next: (pattern) =>
      new Promise((resolve) => {
        waiting.push({ pattern, resolve });
        scan();
      }),
  };
}
