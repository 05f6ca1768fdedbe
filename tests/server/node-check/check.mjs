// Google's Node client (@google-cloud/storage 7) against yatai-test-bucket: every answer Yatai relies
// on, as Google's own code reads it. Usage: node check.mjs http://127.0.0.1:PORT
import { Storage } from '@google-cloud/storage';
import crypto from 'node:crypto';

const endpoint = process.argv[2];
const storage = new Storage({ apiEndpoint: endpoint, projectId: 'test', useAuthWithCustomEndpoint: false });
const bucket = storage.bucket('node-check');
let failures = 0;

async function check(what, fn) {
  try {
    await fn();
    console.log(`ok ${what}`);
  } catch (e) {
    failures++;
    console.log(`FAILED ${what}: ${e.message}`);
  }
}

function expectCode(error, code) {
  if (!error) throw new Error(`no error, expected ${code}`);
  if (error.code !== code) throw new Error(`code ${error.code}, expected ${code}: ${error.message}`);
}

async function refused(promise, code) {
  let error = null;
  try { await promise; } catch (e) { error = e; }
  expectCode(error, code);
}

const file = bucket.file('yatai/stall-1/log/00000000000000000001');
let generation;

await check('a bucket nobody made: 404 naming the bucket, for objects too', async () => {
  const [exists] = await bucket.exists();
  if (exists) throw new Error('the bucket exists before it was made');
  let error = null;
  try { await bucket.file('x').download(); } catch (e) { error = e; }
  expectCode(error, 404);
  if (!/node-check/.test(error.message)) throw new Error(`the message does not name the bucket: ${error.message}`);
  await refused(bucket.file('x').save(Buffer.from('x'), { resumable: false }), 404);
});

await check('create the bucket (buckets.insert), and again is 409', async () => {
  const [made] = await storage.createBucket('node-check');
  if (made.name !== 'node-check') throw new Error(`made ${made.name}`);
  const [exists] = await bucket.exists();
  if (!exists) throw new Error('not there after it was made');
  await refused(storage.createBucket('node-check'), 409);
});

await check('create (simple upload, no resumable session)', async () => {
  await file.save(Buffer.from('焼きそば ×2'), { resumable: false, contentType: 'application/octet-stream',
                                              metadata: { metadata: { device: 'counter' } } });
  const [meta] = await file.getMetadata();
  generation = meta.generation;
  if (!generation) throw new Error('no generation');
  if (meta.metadata?.device !== 'counter') throw new Error('custom metadata lost');
  if (String(meta.size) !== String(Buffer.byteLength('焼きそば ×2'))) throw new Error(`size ${meta.size}`);
});

await check('create-only on an existing name is refused with 412', async () => {
  await refused(file.save(Buffer.from('again'), { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } }), 412);
});

await check('replace with the current generation', async () => {
  await file.save(Buffer.from('second'), { resumable: false, preconditionOpts: { ifGenerationMatch: generation } });
  const [meta] = await file.getMetadata();
  if (meta.generation === generation) throw new Error('same generation after a replace');
  check.stale = generation;
  generation = meta.generation;
});

await check('replace with a stale generation is refused with 412', async () => {
  await refused(file.save(Buffer.from('third'), { resumable: false, preconditionOpts: { ifGenerationMatch: check.stale } }), 412);
});

await check('metadata change (PATCH) bumps the metageneration, not the generation', async () => {
  const [before] = await file.getMetadata();
  await file.setMetadata({ metadata: { kitchen: 'seen' } }, { ifMetagenerationMatch: before.metageneration });
  const [after] = await file.getMetadata();
  if (after.generation !== before.generation) throw new Error('generation changed');
  if (Number(after.metageneration) !== Number(before.metageneration) + 1)
    throw new Error(`metageneration ${before.metageneration} -> ${after.metageneration}`);
  if (after.metadata?.kitchen !== 'seen') throw new Error('custom metadata not set');
});

await check('list with paging (2 a page)', async () => {
  for (let i = 2; i <= 5; i++)
    await bucket.file(`yatai/stall-1/log/0000000000000000000${i}`).save(Buffer.from(`segment ${i}`), { resumable: false });
  await bucket.file('other/file').save(Buffer.from('x'), { resumable: false });
  const names = [];
  let query = { prefix: 'yatai/stall-1/log/', maxResults: 2, autoPaginate: false };
  let pages = 0;
  while (query) {
    const [files, next] = await bucket.getFiles(query);
    names.push(...files.map(f => f.name));
    pages++;
    query = next;
  }
  if (names.length !== 5 || pages !== 3) throw new Error(`${names.length} names in ${pages} pages`);
  if ([...names].sort().join() !== names.join()) throw new Error('not in name order');
});

await check('listing in name order, whatever the order of the writes', async () => {
  for (const name of ['order/b', 'order/a', 'order/c10', 'order/c2', 'order/B'])
    await bucket.file(name).save(Buffer.from(name), { resumable: false });
  const [files] = await bucket.getFiles({ prefix: 'order/' });
  const names = files.map(f => f.name).join();
  if (names !== 'order/B,order/a,order/b,order/c10,order/c2') throw new Error(`listed ${names}`);
});

await check('an upload whose declared CRC32C or MD5 does not match is refused with 400', async () => {
  // Google's client declares the hashes it computed; the request is sent by hand here so that they lie.
  const body = Buffer.from('the bytes that arrived');
  for (const hash of ['crc32c=AAAAAA==', `md5=${crypto.createHash('md5').update('other bytes').digest('base64')}`]) {
    const answer = await fetch(`${endpoint}/upload/storage/v1/b/node-check/o?uploadType=media&name=damaged`,
      { method: 'POST', headers: { 'x-goog-hash': hash, 'content-type': 'application/octet-stream' }, body });
    if (answer.status !== 400) throw new Error(`${hash}: ${answer.status}`);
  }
  const [exists] = await bucket.file('damaged').exists();
  if (exists) throw new Error('a refused upload was stored');
  // Google's client with its own (true) checksums is accepted, and checks them itself.
  await bucket.file('checked').save(body, { resumable: false, validation: 'crc32c' });
  await bucket.file('checked-md5').save(body, { resumable: false, validation: 'md5' });
});

await check('download with its MD5 checked', async () => {
  const [data] = await file.download({ validation: 'md5' });
  if (data.toString() !== 'second') throw new Error(`read ${data}`);
  const [meta] = await file.getMetadata();
  const md5 = crypto.createHash('md5').update('second').digest('base64');
  if (meta.md5Hash !== md5) throw new Error(`md5Hash ${meta.md5Hash}, expected ${md5}`);
});

await check('download with its CRC32C checked', async () => {
  const [data] = await file.download({ validation: 'crc32c' });
  if (data.toString() !== 'second') throw new Error(`read ${data}`);
});

await check('a download whose bytes do not match x-goog-hash is refused (scripted fault)', async () => {
  const answer = await fetch(`${endpoint}/_test/faults`, { method: 'POST',
    body: JSON.stringify({ method: 'GET', action: 'corrupt', times: 1 }) });
  if (!answer.ok) throw new Error(`POST /_test/faults: ${answer.status}`);
  let error = null;
  try { await file.download({ validation: 'md5' }); } catch (e) { error = e; }
  await fetch(`${endpoint}/_test/faults`, { method: 'DELETE' });
  if (!error) throw new Error('the corrupted bytes were accepted');
  if (error.code !== 'CONTENT_DOWNLOAD_MISMATCH') throw new Error(`${error.code}: ${error.message}`);
});

await check('a missing object is 404', async () => {
  await refused(bucket.file('nothing/here').download(), 404);
});

await check('delete with a stale generation is refused with 412', async () => {
  await refused(file.delete({ ifGenerationMatch: check.stale }), 412);
});

await check('delete', async () => {
  await file.delete({ ifGenerationMatch: generation });
  const [exists] = await file.exists();
  if (exists) throw new Error('still there');
});

console.log(failures === 0 ? 'all checks passed' : `${failures} checks failed`);
process.exit(failures === 0 ? 0 : 1);
