// A receiver and its workers in a process of their own, for the kill test. INBOX_URL names the
// inbox; HANDLER=hang makes the agent announce it started and never finish, HANDLER=finish
// makes it announce it handled the event. Prints `listening <url>`; SIGTERM stops it cleanly.
import { InboxWorkers, SqlInbox, startReceiver } from '../../src/index.ts';
import { ROUTES, SOURCES } from './deliveries.ts';

const inbox = await SqlInbox.connect(process.env.INBOX_URL);
const hang = process.env.HANDLER === 'hang';
const workers = new InboxWorkers({
  inbox,
  leaseTtlMs: 1_000,
  pollIntervalMs: 100,
  agents: {
    'ledger-agent': async (event) => {
      if (hang) {
        console.log(`started ${event.deliveryId} attempt ${event.attempt}`);
        await new Promise(() => {});
      }
      console.log(`handled ${event.deliveryId} attempt ${event.attempt}`);
    },
  },
}).start();
const receiver = await startReceiver({ sources: SOURCES, routes: ROUTES, inbox, onStored: () => workers.wake() });
console.log(`listening ${receiver.url}`);
process.once('SIGTERM', () => {
  void (async () => {
    await receiver.close();
    await workers.stop();
    await inbox.close();
    process.exit(0);
  })();
});
