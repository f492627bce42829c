// The feature store's offline store read by outside readers, as a team that
// outgrows one machine would read it: DuckDB (@duckdb/node-api, its native
// binary from the npm registry) with read_parquet(..., hive_partitioning=true),
// and hyparquet (a second, independent reader in plain JavaScript).
//
//   node tests/features/duckdb_check.mjs build/native/fieldkit-cli
//
// Three stores built with the real CLI: the features demo (customers, ISO event
// times, plus a few records with missing values and a soft delete: real nulls),
// a small `features bench` store (integral event times) and a store left by a
// SIGKILL in the middle of `features ingest`, as verify recovers it. For each, the row
// count, the column types, the null counts and a sample of values read by
// DuckDB are compared with `features verify`, `features describe` and
// `features batch-get`, and hyparquet must read the same rows and nulls.
// Packages come from tests/e2e/node_modules (make deps-test). Exit 0 = all held.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const cli = path.resolve(process.argv[2] || 'build/native/fieldkit-cli');
const modules = new URL('../e2e/node_modules/', import.meta.url);
let failures = 0;
const fail = (m) => { console.log(`FAIL ${m}`); failures++; };
const check = (cond, m) => { if (!cond) fail(m); };

if (!fs.existsSync(new URL('@duckdb/node-api/package.json', modules)) || !fs.existsSync(new URL('hyparquet/package.json', modules))) {
  console.error('duckdb_check: @duckdb/node-api or hyparquet missing in tests/e2e/node_modules (run make deps-test)');
  process.exit(2);
}
const requireE2e = createRequire(new URL('package.json', new URL('../e2e/', import.meta.url)));
const { DuckDBInstance } = await import(pathToFileURL(requireE2e.resolve('@duckdb/node-api')).href);
const hyparquet = await import(new URL('hyparquet/src/node.js', modules).href);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fk-duckdb-'));
const run = (...args) => execFileSync(cli, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const runJson = (...args) => JSON.parse(run(...args, '--json'));

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const big = (v) => (typeof v === 'bigint' ? Number(v) : v);
async function query(sql) {
  const r = await con.runAndReadAll(sql);
  return r.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, big(v)])));
}

// What DuckDB must report for each feature type; the event time of String type is a UTC timestamp.
const duckType = (t, isEventTime) =>
  isEventTime && t === 'String' ? 'TIMESTAMP WITH TIME ZONE' : { Integral: 'BIGINT', Fractional: 'DOUBLE', String: 'VARCHAR' }[t];

async function checkStore(label, store, group, expectNulls) {
  const t0 = Date.now();
  const verify = runJson('features', 'verify', '--store', store);
  check(verify.ok, `${label}: features verify is not ok: ${JSON.stringify(verify.errors)}`);
  const desc = runJson('features', 'describe', '--store', store, '--group', group);
  check(desc.offline_format === 'parquet', `${label}: offline_format ${desc.offline_format}`);
  const dir = path.join(store, 'offline', group);
  const files = fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.parquet'));
  const other = fs.readdirSync(dir, { recursive: true }).filter((f) => !f.endsWith('.parquet') && fs.statSync(path.join(dir, f)).isFile());
  check(other.length === 1 && other[0] === '_schema.json', `${label}: files other than parts and _schema.json: ${other}`);
  const src = `read_parquet('${dir}/**/*.parquet', hive_partitioning=true)`;

  // Rows: every offline row, as verify counted them.
  const [{ n }] = await query(`select count(*) as n from ${src}`);
  check(n === verify.offline_rows, `${label}: DuckDB reads ${n} rows, verify counted ${verify.offline_rows}`);

  // Types: the group's features, the three columns the store adds, the partition keys.
  const types = Object.fromEntries((await query(`describe select * from ${src}`)).map((r) => [r.column_name, r.column_type]));
  for (const f of desc.feature_definitions) {
    const want = duckType(f.type, f.name === desc.event_time_feature_name);
    check(types[f.name] === want, `${label}: column ${f.name} (${f.type}) is ${types[f.name]} in DuckDB, expected ${want}`);
  }
  for (const [c, want] of [['write_time', 'TIMESTAMP WITH TIME ZONE'], ['api_invocation_time', 'TIMESTAMP WITH TIME ZONE'], ['is_deleted', 'BOOLEAN']])
    check(types[c] === want, `${label}: ${c} is ${types[c]}, expected ${want}`);
  for (const k of ['year', 'month', 'day', 'hour']) check(k in types, `${label}: no partition column ${k}`);

  // Every file on its own (DuckDB reads each, hyparquet too): rows and nulls per column.
  const names = desc.feature_definitions.map((f) => f.name);
  const nullSql = names.map((c) => `count(*) - count("${c}") as "${c}"`).join(', ');
  const duckNulls = (await query(`select ${nullSql} from ${src}`))[0];
  const hyNulls = Object.fromEntries(names.map((c) => [c, 0]));
  let hyRows = 0;
  for (const f of files) {
    const file = await hyparquet.asyncBufferFromFile(path.join(dir, f));
    const rows = await hyparquet.parquetReadObjects({ file });
    hyRows += rows.length;
    for (const r of rows) for (const c of names) if (r[c] === null || r[c] === undefined) hyNulls[c]++;
    const [{ m }] = await query(`select count(*) as m from read_parquet('${path.join(dir, f)}')`);
    check(m === rows.length, `${label}: ${f}: DuckDB reads ${m} rows, hyparquet ${rows.length}`);
  }
  check(hyRows === n, `${label}: hyparquet reads ${hyRows} rows, DuckDB ${n}`);
  for (const c of names) {
    check(hyNulls[c] === duckNulls[c], `${label}: ${c}: hyparquet counts ${hyNulls[c]} nulls, DuckDB ${duckNulls[c]}`);
    if (c in expectNulls) check(duckNulls[c] === expectNulls[c], `${label}: ${c}: ${duckNulls[c]} nulls, expected ${expectNulls[c]}`);
  }

  // Values: the newest live row per id in the offline store is what the online store returns.
  const id = desc.record_identifier_feature_name, et = desc.event_time_feature_name;
  const latest = await query(
    `select * exclude (rn) from (select *, row_number() over (partition by "${id}" order by "${et}" desc, api_invocation_time desc) as rn from ${src}) where rn = 1 and not is_deleted order by "${id}" limit 40`);
  check(latest.length > 0, `${label}: no live rows`);
  const got = runJson('features', 'batch-get', '--store', store, '--group', group, '--ids', latest.map((r) => r[id]).join(','));
  check(got.errors.length === 0, `${label}: batch-get errors ${JSON.stringify(got.errors)}`);
  const byId = Object.fromEntries(got.records.map((r) => [r.id, r]));
  let compared = 0;
  for (const row of latest) {
    const rec = byId[row[id]];
    if (!rec) { fail(`${label}: ${row[id]} is in the offline store but batch-get does not return it`); continue; }
    for (const f of desc.feature_definitions) {
      let want = rec.record[f.name], have = row[f.name];
      if (f.name === et) {  // both as Unix seconds
        have = have instanceof Date ? have.getTime() / 1000 : Number(have);
        check(Math.abs(have - rec.event_time) < 1e-6, `${label}: ${row[id]}.${f.name}: DuckDB ${have}, get ${rec.event_time}`);
      } else if (f.type === 'Fractional' && want !== null && have !== null) {
        check(Math.abs(have - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${label}: ${row[id]}.${f.name}: DuckDB ${have}, get ${want}`);
      } else check(have === want, `${label}: ${row[id]}.${f.name}: DuckDB ${JSON.stringify(have)}, get ${JSON.stringify(want)}`);
      compared++;
    }
  }
  console.log(`${label}: ${files.length} Parquet files, ${n} rows; DuckDB and hyparquet agree on rows and nulls; ` +
              `${compared} values of ${latest.length} records match features batch-get (${Date.now() - t0} ms)`);
}

try {
  // The features demo, plus records with missing values and a soft delete.
  const demo = path.join(tmp, 'demo'), st = path.join(tmp, 'st');
  run('features', 'demo-data', '--out', demo, '--customers', '300');
  run('features', 'create', '--store', st, '--group', 'customers', '--from-csv', path.join(demo, 'customers.csv'),
      '--record-id', 'customer_id', '--event-time', 'event_time');
  run('features', 'ingest', '--store', st, '--group', 'customers', '--file', path.join(demo, 'customers.csv'));
  for (let i = 0; i < 5; i++)
    run('features', 'put', '--store', st, '--group', 'customers', '--values', `customer_id=N${i},event_time=2024-04-0${i + 1}T10:00:00Z,age=${30 + i}`);
  run('features', 'delete', '--store', st, '--group', 'customers', '--id', 'N4', '--event-time', '2024-04-06T00:00:00Z');
  // Five puts without city..chargebacks_90d and one delete marker (id and event time only).
  await checkStore('demo', st, 'customers', { customer_id: 0, event_time: 0, age: 1, city: 6, spend_30d: 6, chargebacks_90d: 6 });

  // A small bench store (Integral event times, 18 features of three types).
  const bench = path.join(tmp, 'bench');
  run('features', 'bench', '--rows', '20000', '--gets', '10', '--dir', bench);
  await checkStore('bench', bench, 'bench', { id: 0, ts: 0, f0: 0, f1: 0, f2: 0 });

  // A store left by a SIGKILL mid-ingest (what tests/features/crash_test.sh does twenty times): once
  // `features verify` has recovered it, DuckDB reads every offline row verify counts, no more, no less.
  const crashCsv = path.join(tmp, 'crash.csv'), crash = path.join(tmp, 'crash');
  run('features', 'bench-csv', '--rows', '160000', '--out', crashCsv);
  run('features', 'create', '--store', crash, '--group', 'g', '--from-csv', crashCsv, '--record-id', 'id', '--event-time', 'ts');
  const acked = await new Promise((resolve, reject) => {
    const child = spawn(cli, ['features', 'ingest', '--store', crash, '--group', 'g', '--file', crashCsv, '--threads', '2',
                              '--progress-jsonl'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let durable = 0, buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      for (const m of buf.matchAll(/"durable": ?(\d+)/g)) durable = Math.max(durable, Number(m[1]));
      buf = buf.slice(buf.lastIndexOf('\n') + 1);
      // Around the first seal (16 MB of log): whatever parts the background writer finished before
      // the kill (often none), and those recovery writes from the log.
      if (durable >= 120000 && child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('exit', (code, sig) => (sig === 'SIGKILL' ? resolve(durable) : reject(new Error(`ingest ended (${code}) before the kill`))));
  });
  const before = fs.existsSync(path.join(crash, 'offline', 'g'))
    ? fs.readdirSync(path.join(crash, 'offline', 'g'), { recursive: true }).filter((f) => f.endsWith('.parquet')).length : 0;
  console.log(`crash: killed at ${acked} acknowledged records, ${before} Parquet parts on disk before recovery`);
  const crashVerify = runJson('features', 'verify', '--store', crash);
  check(crashVerify.ok, `crash: verify is not ok after the kill: ${JSON.stringify(crashVerify.errors)}`);
  check(crashVerify.records >= acked, `crash: ${crashVerify.records} records after the kill, ${acked} were acknowledged`);
  check(crashVerify.offline_rows > 0, 'crash: no offline rows after the kill');
  await checkStore('crash', crash, 'g', { id: 0, ts: 0 });

  // The anomaly window sink's Hive-style folders: DuckDB reads year/month/day/hour as columns, and they
  // agree with each record's own window end (hop_time), for every record simulate wrote.
  const t1 = Date.now();
  const parts = path.join(tmp, 'windows');
  const recs = path.join(tmp, 'windows.jsonl');
  run('anomaly', 'simulate', '--days', '2', '--records', recs, '--partitions', parts);
  const expected = fs.readFileSync(recs, 'utf8').split('\n').filter((l) => l.trim()).length;
  const rows = await query(`SELECT count(*) AS n, count(DISTINCT hour) AS hours,
      sum(CASE WHEN CAST(year AS INTEGER) = year(hop_time::TIMESTAMP) AND CAST(month AS INTEGER) = month(hop_time::TIMESTAMP)
                AND CAST(day AS INTEGER) = day(hop_time::TIMESTAMP) AND CAST(hour AS INTEGER) = hour(hop_time::TIMESTAMP)
               THEN 0 ELSE 1 END) AS off
    FROM read_json_auto('${parts}/**/*.jsonl', hive_partitioning = true)`);
  check(rows[0].n === expected && expected > 0, `anomaly partitions: DuckDB read ${rows[0].n} records, simulate wrote ${expected}`);
  check(rows[0].hours === 24, `anomaly partitions: ${rows[0].hours} distinct hour= values, expected 24`);
  check(rows[0].off === 0, `anomaly partitions: ${rows[0].off} records in a partition other than their window end's hour`);
  console.log(`anomaly partitions: DuckDB read ${rows[0].n} window records under year=/month=/day=/hour=, each in its window ` +
    `end's hour (${Date.now() - t1} ms)`);

  // The same sink writing Parquet (--partition-format parquet): the same records, typed (measures DOUBLE,
  // camera_id VARCHAR, hop_time a UTC TIMESTAMP), each in its window end's hour, the same measure totals.
  const t3 = Date.now();
  const pqParts = path.join(tmp, 'windows-pq');
  run('anomaly', 'simulate', '--days', '2', '--partitions', pqParts, '--partition-format', 'parquet');
  const pqSrc = `read_parquet('${pqParts}/**/*.parquet', hive_partitioning = true)`;
  const pqTypes = Object.fromEntries((await query(`describe select * from ${pqSrc}`)).map((r) => [r.column_name, r.column_type]));
  check(pqTypes.hop_time === 'TIMESTAMP WITH TIME ZONE' && pqTypes.person === 'DOUBLE' && pqTypes.car === 'DOUBLE' && pqTypes.camera_id === 'VARCHAR',
        `anomaly parquet: types ${JSON.stringify(pqTypes)}`);
  const [pq] = await query(`with p as (select *, make_timestamp(epoch_us(hop_time)) as t from ${pqSrc})
    select count(*) as n, sum(person) as person, sum(car) as car,
      sum(case when cast(year as int) = year(t) and cast(month as int) = month(t) and cast(day as int) = day(t)
                and cast(hour as int) = hour(t) then 0 else 1 end) as off,
      count(distinct strftime(t, '%Y-%m-%dT%H:%M:%S') || camera_id) as distinct_records from p`);
  const [js] = await query(`select count(*) as n, sum(person) as person, sum(car) as car
    from read_json_auto('${recs}', columns = {person: 'DOUBLE', car: 'DOUBLE', camera_id: 'VARCHAR', hop_time: 'VARCHAR'})`);
  check(pq.n === js.n && pq.distinct_records === js.n, `anomaly parquet: DuckDB reads ${pq.n} records (${pq.distinct_records} distinct), simulate wrote ${js.n}`);
  check(pq.person === js.person && pq.car === js.car, `anomaly parquet: totals person ${pq.person}/${js.person}, car ${pq.car}/${js.car}`);
  check(pq.off === 0, `anomaly parquet: ${pq.off} records in a partition other than their window end's hour`);
  console.log(`anomaly partitions (Parquet): DuckDB read ${pq.n} typed window records, the JSON Lines' totals, each in its ` +
    `window end's hour (${Date.now() - t3} ms)`);

  // Forecast exports: `forecast fit --partitions` writes the rows of --out under year=/month=/day=/hour=
  // (Parquet) or item_id=/year=/... (JSON Lines); DuckDB reads both with hive_partitioning and finds
  // every CSV row once, with the same values (the CSV's 6 significant digits) and the partition columns
  // of its timestamp.
  const t2 = Date.now();
  const fdemo = path.join(tmp, 'fdemo'), fcsv = path.join(tmp, 'forecast.csv');
  run('forecast', 'demo', '--out', fdemo);
  const fit = ['forecast', 'fit', '--target', path.join(fdemo, 'sales.csv'), '--freq', 'D', '--horizon', '14', '--model', 'snaive'];
  run(...fit, '--out', fcsv, '--partitions', path.join(tmp, 'fpq'));
  run(...fit, '--partitions', path.join(tmp, 'fjs'), '--partition-format', 'jsonl', '--partition-by', 'item', '--json');
  const csvSrc = `(select item_id, timestamp::DATE as d, mean, p10, p50, p90 from read_csv('${fcsv}', header = true))`;
  const sources = {
    parquet: `(select item_id, epoch(timestamp) as e, year, month, day, hour, mean, p10, p50, p90 from read_parquet('${path.join(tmp, 'fpq')}/**/*.parquet', hive_partitioning = true))`,
    jsonl: `(select item_id, epoch(strptime(left(timestamp, 19), '%Y-%m-%dT%H:%M:%S')) as e, year, month, day, hour, mean, p10, p50, p90
             from read_json('${path.join(tmp, 'fjs')}/**/*.jsonl', hive_partitioning = true,
                            columns = {timestamp: 'VARCHAR', mean: 'DOUBLE', p10: 'DOUBLE', p50: 'DOUBLE', p90: 'DOUBLE'}))`,
  };
  const [{ rows: csvRows }] = await query(`select count(*) as rows from ${csvSrc}`);
  for (const [fmt, src] of Object.entries(sources)) {
    if (fmt === 'parquet') {
      const types = Object.fromEntries((await query(`describe select * from read_parquet('${path.join(tmp, 'fpq')}/**/*.parquet', hive_partitioning = true)`)).map((r) => [r.column_name, r.column_type]));
      check(types.timestamp === 'TIMESTAMP WITH TIME ZONE' && types.mean === 'DOUBLE' && types.p90 === 'DOUBLE' && types.item_id === 'VARCHAR',
            `forecast parquet: types ${JSON.stringify(types)}`);
    }
    const close = (c) => `abs(p.${c} - c.${c}) <= 1e-5 * greatest(1, abs(c.${c}))`;
    const [r] = await query(`select (select count(*) from ${src}) as n, count(*) as matched,
        sum(case when ${['mean', 'p10', 'p50', 'p90'].map(close).join(' and ')} then 0 else 1 end) as off,
        sum(case when cast(p.year as int) = year(c.d) and cast(p.month as int) = month(c.d) and cast(p.day as int) = day(c.d)
                  and cast(p.hour as int) = 0 then 0 else 1 end) as misplaced
      from ${src} p join ${csvSrc} c on p.item_id = c.item_id and p.e = epoch(c.d::TIMESTAMP)`);
    check(r.n === csvRows && r.matched === csvRows && csvRows > 0,
          `forecast ${fmt}: DuckDB reads ${r.n} rows, ${r.matched} match the CSV's ${csvRows} on item and time`);
    check(r.off === 0, `forecast ${fmt}: ${r.off} rows with values other than the CSV's`);
    check(r.misplaced === 0, `forecast ${fmt}: ${r.misplaced} rows in a partition other than their timestamp's`);
  }
  console.log(`forecast partitions: DuckDB reads the Parquet (year=/month=/day=/hour=) and JSON Lines (item_id=/year=/...) ` +
    `exports, ${csvRows} rows each, the same items, times and values as the CSV (${Date.now() - t2} ms)`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
if (failures) {
  console.log(`duckdb_check: ${failures} failures`);
  process.exit(1);
}
console.log('duckdb_check: the offline stores read the same in DuckDB, hyparquet and fieldkit-cli; DuckDB reads the anomaly and forecast partitions as Hive partitions');
