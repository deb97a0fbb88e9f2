import { randomBytes } from 'node:crypto';

/**
 * Runs before each test file (jest gives every file its own copy of process.env). A Redis key prefix of its own per
 * file: jobs a file queues but never runs (there is no worker in most files) must not become the backlog of the next
 * file that starts one.
 */
process.env.QUEUE_PREFIX = `${process.env.QUEUE_PREFIX ?? 'test'}-${randomBytes(3).toString('hex')}`;
