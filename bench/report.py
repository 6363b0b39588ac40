"""Figures of a benchmark run (bench/harness.py): every measured value
next to its baseline, ratio, target and spread, as rows; the markdown
report; and the comparison of several runs (--spread).

Standard library only.
"""
import json
import os
import platform
import statistics

# What the harness measures; figures() looks results up by these names.
CONCURRENCY = (1, 16, 64)
HTTP_CONNECTIONS = 100000
# Read workloads run first, on a quiet server: write runs leave flushes,
# compactions and snapshot passes behind that would slow whatever follows.
READ_WORKLOADS = [("health", "health.lua"), ("piggyback_retrieve", "piggyback_retrieve.lua"),
                  ("rest_retrieve", "rest_retrieve.lua")]
WRITE_WORKLOADS = [("piggyback_create", "piggyback_create.lua"), ("piggyback_modify", "piggyback_modify.lua"),
                   ("piggyback_delete", "piggyback_delete.lua"), ("mixed", "mixed.lua")]
WORKLOADS = READ_WORKLOADS + WRITE_WORKLOADS


def misses_note(result):
    """Deletes past the end of a created run (piggyback_delete.lua), if any."""
    misses = result.get("misses", 0)
    return f"404s past the end of a created run (not failures) {misses}, " if misses else ""


def spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    mean = statistics.mean(values)
    return {"median": statistics.median(values), "mean": mean, "min": min(values), "max": max(values),
            "cv": (statistics.stdev(values) / mean) if len(values) > 1 and mean else 0.0, "n": len(values)}


def ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


def paired(values, baselines):
    """Median of the per-round ratios values[i] / baselines[i] (both measured
    in the same round), and the ratios themselves."""
    ratios = [v / b for v, b in zip(values or [], baselines or []) if v is not None and b]
    if not ratios or len(values) != len(baselines):
        return None, []
    return round(statistics.median(ratios), 3), [round(r, 2) for r in ratios]


def ratios_text(ratios):
    return "per-round ratios " + ", ".join(f"{r}x" for r in ratios) if len(ratios) > 1 else ""


def cv_text(summary):
    if not summary or summary["n"] < 2:
        return ""
    return f"CV {summary['cv'] * 100:.1f}%, n={summary['n']}, {summary['min']:.4g}..{summary['max']:.4g}"


class Rows:
    def __init__(self):
        self.rows = []

    def add(self, section, name, value, baseline=None, target=None, higher_is_better=True, unit="",
            baseline_name="", spread_text="", note="", paired_ratio=None):
        # A ratio of per-round pairs, when there is one, beats the ratio of medians.
        r = paired_ratio if paired_ratio is not None else ratio(value, baseline) if baseline is not None else None
        met = None
        if target is not None:
            measured = r if baseline is not None else value
            met = None if measured is None else (measured >= target if higher_is_better else measured <= target)
        self.rows.append({"section": section, "figure": name, "value": value, "unit": unit, "baseline": baseline,
                          "baseline_name": baseline_name, "ratio": r, "target": target,
                          "higher_is_better": higher_is_better, "met": met, "spread": spread_text, "note": note})


def micro_rate(micro, name):
    entry = micro.get(name)
    return entry["items_per_second"]["median"] if entry and entry["items_per_second"] else None


def figures(durable, cpu, mem_http, start, history):
    rows = Rows()
    micro = durable["micro"]
    pg = durable["postgres"]
    http = mem_http["http"]["results"]
    pg_adjacent = mem_http["http"]["postgres_adjacent"]
    health = {c: http[f"health_{c}"] for c in CONCURRENCY}

    # Targets first, exactly as the issue states them. Where both sides ran
    # in the same rounds, the ratio is the median of the per-round ratios.
    t = "Targets"
    runs = lambda name: micro.get(name, {}).get("runs_items_per_second")
    create = http["piggyback_create_64"]
    rows.add(t, "Durable creates over HTTP, 64 conns, req/s vs GET /health req/s (health: read block, quiet "
             "server)", create["rps"], health[64]["rps"], 0.4, unit="req/s", baseline_name="GET /health, 64 conns")
    r, per_round = paired(create["rps_runs"], [x["inserts_per_s"] for x in pg_adjacent[64]["runs"]])
    rows.add(t, "Durable creates over HTTP, 64 conns, req/s vs PostgreSQL inserts/s, 64 clients (pgbench right "
             "after each create run)", create["rps"], pg_adjacent[64]["inserts_per_s"], 2.0, unit="req/s",
             baseline_name="pgbench 64 clients", paired_ratio=r, spread_text=ratios_text(per_round))
    journal_name = "BM_JournalAppendDurable/real_time/threads:64"
    journal_64 = micro_rate(micro, journal_name)
    r, per_round = paired(runs(journal_name), runs("BM_RocksDbSyncPutLoop/real_time/threads:64"))
    rows.add(t, "Journal durable appends/s, 64 appenders vs plain RocksDB sync=true loop, 64 threads", journal_64,
             micro_rate(micro, "BM_RocksDbSyncPutLoop/real_time/threads:64"), 3.0, unit="appends/s",
             baseline_name="RocksDB sync loop, 64 threads", paired_ratio=r, spread_text=ratios_text(per_round))
    r, per_round = paired(runs(journal_name), pg[64]["runs_inserts_per_s"])
    rows.add(t, "Journal durable appends/s, 64 appenders vs PostgreSQL inserts/s, 64 clients", journal_64,
             pg[64]["inserts_per_s"]["median"], 5.0, unit="appends/s", baseline_name="pgbench 64 clients",
             paired_ratio=r, spread_text=ratios_text(per_round))
    for name, label in (("piggyback_retrieve", "Piggyback retrieve"), ("rest_retrieve", "REST retrieve")):
        result = http[f"{name}_64"]
        r, per_round = paired(result["rps_runs"], health[64]["rps_runs"])
        rows.add(t, f"{label} over HTTP, 64 conns, req/s vs GET /health", result["rps"], health[64]["rps"], 0.6,
                 unit="req/s", baseline_name="GET /health, 64 conns", paired_ratio=r,
                 spread_text=ratios_text(per_round))
        r, per_round = paired(result["p99_runs"], health[64]["p99_runs"])
        rows.add(t, f"{label} over HTTP, 64 conns, p99 vs GET /health p99", result["p99_us"], health[64]["p99_us"],
                 1.5, higher_is_better=False, unit="us", baseline_name="GET /health p99, 64 conns",
                 paired_ratio=r, spread_text=ratios_text(per_round))
    memory = mem_http["memory"]
    per_connection = (memory[HTTP_CONNECTIONS]["rss_after_list_kib"] - memory[0]["rss_after_list_kib"]) * 1024 \
        / HTTP_CONNECTIONS
    json_bytes = memory[HTTP_CONNECTIONS]["json_bytes_per_connection"]
    rows.add(t, "Memory per connection: (RSS at 100,000 - RSS at 0) / 100,000, after start-up and a full list, vs "
             "budget 2 x JSON size + 2 KiB", round(per_connection), round(2 * json_bytes + 2048), 1.0,
             higher_is_better=False, unit="bytes", baseline_name=f"2 x {json_bytes:.0f} B + 2048 B")

    # Durable writes, every concurrency.
    d = "Durable writes (1 KiB payloads)"
    for c in CONCURRENCY:
        journal_name = f"BM_JournalAppendDurable/real_time/threads:{c}"
        rocks_name = f"BM_RocksDbSyncPutLoop/real_time/threads:{c}"
        nosync_name = f"BM_JournalAppendNoSync/real_time/threads:{c}"
        inflight_name = f"BM_GroupCommitInFlight/in_flight:{c}/real_time"
        journal, rocks = micro.get(journal_name), micro.get(rocks_name)
        nosync, inflight = micro.get(nosync_name), micro.get(inflight_name)
        r, per_round = paired(runs(journal_name), runs(rocks_name))
        rows.add(d, f"Journal durable appends/s, {c} appenders (vs RocksDB sync loop)", micro_rate(micro, journal_name),
                 micro_rate(micro, rocks_name), unit="appends/s", baseline_name=f"RocksDB sync loop, {c} threads",
                 spread_text=cv_text(journal and journal["items_per_second"]), paired_ratio=r,
                 note=ratios_text(per_round))
        r, per_round = paired(runs(journal_name), pg[c]["runs_inserts_per_s"])
        rows.add(d, f"Journal durable appends/s, {c} appenders (vs PostgreSQL, {c} clients)",
                 micro_rate(micro, journal_name), pg[c]["inserts_per_s"]["median"], unit="appends/s",
                 baseline_name=f"pgbench {c} clients", paired_ratio=r, note=ratios_text(per_round))
        rows.add(d, f"Plain RocksDB sync=true Put loop, {c} threads", micro_rate(micro, rocks_name), unit="puts/s",
                 spread_text=cv_text(rocks and rocks["items_per_second"]))
        rows.add(d, f"PostgreSQL inserts/s (pgbench, synchronous_commit=on), {c} clients",
                 pg[c]["inserts_per_s"]["median"], unit="inserts/s", spread_text=cv_text(pg[c]["inserts_per_s"]),
                 note=f"latency avg {pg[c]['latency_avg_ms']['median']:.2f} ms")
        r, per_round = paired(runs(nosync_name), runs(journal_name))
        rows.add(d, f"Journal appends/s without fsync, {c} appenders (vs durable)", micro_rate(micro, nosync_name),
                 micro_rate(micro, journal_name), unit="appends/s", baseline_name="journal durable",
                 spread_text=cv_text(nosync and nosync["items_per_second"]), paired_ratio=r)
        if journal:
            counters = journal["counters"]
            rows.add(d, f"Group commit, {c} blocking appenders: mean events/batch (p50, p90, p99 bucket)",
                     round(counters.get("events_per_batch", 0), 2), unit="events",
                     note=f"p50 <= {counters.get('batch_p50', 0):.0f}, p90 <= {counters.get('batch_p90', 0):.0f}, "
                          f"p99 <= {counters.get('batch_p99', 0):.0f}; sync write {counters.get('sync_write_us', 0):.0f} us")
        if inflight:
            counters = inflight["counters"]
            rows.add(d, f"Group commit, {c} appends in flight from one thread (as the server): appends/s",
                     micro_rate(micro, inflight_name), unit="appends/s",
                     spread_text=cv_text(inflight["items_per_second"]))
            rows.add(d, f"Group commit, {c} appends in flight: mean events/batch",
                     round(counters.get("events_per_batch", 0), 2), unit="events",
                     note=f"p50 <= {counters.get('batch_p50', 0):.0f}, p90 <= {counters.get('batch_p90', 0):.0f}; "
                          f"sync write {counters.get('sync_write_us', 0):.0f} us")

    # HTTP: throughput and latency of every workload against the ceiling.
    h = "HTTP (wrk, keep-alive, same server)"
    for c in CONCURRENCY:
        for name, _ in WORKLOADS:
            result = http[f"{name}_{c}"]
            note = (f"p50 {result['p50_us']} us, p99.9 {result['p999_us']} us, failures {result['failures']}, "
                    f"{misses_note(result)}"
                    f"CPU/request: server {result['server_cpu_us']} us, wrk {result['wrk_cpu_us']} us"
                    + (f", allocations/request {result['allocations']}" if result.get("allocations") is not None else ""))
            if result.get("journal"):
                j = result["journal"]
                note += (f", journal: {j['events_per_batch']} events/batch, synced write {j['sync_write_us']} us, "
                         f"append to durable {j['append_to_durable_us']} us")
            if result.get("first_failure"):
                note += f" (first: {result['first_failure'][:60]})"
            if len(result["rps_runs"]) > 1:
                note += ", runs " + " / ".join(f"{x:,.0f}" for x in result["rps_runs"]) + " req/s"
            r, per_round = paired(result["rps_runs"], health[c]["rps_runs"])
            rows.add(h, f"{name}, {c} conns: req/s (vs /health)", result["rps"],
                     None if name == "health" else health[c]["rps"], unit="req/s",
                     baseline_name=f"GET /health, {c} conns", note=note,
                     paired_ratio=None if name == "health" else r)
            r, per_round = paired(result["p99_runs"], health[c]["p99_runs"])
            rows.add(h, f"{name}, {c} conns: p99 (vs /health p99)", result["p99_us"],
                     None if name == "health" else health[c]["p99_us"], higher_is_better=False, unit="us",
                     baseline_name=f"GET /health p99, {c} conns", paired_ratio=None if name == "health" else r)
        if c in pg_adjacent:
            r, per_round = paired(http[f"piggyback_create_{c}"]["rps_runs"],
                                  [x["inserts_per_s"] for x in pg_adjacent[c]["runs"]])
            rows.add(h, f"piggyback_create, {c} conns vs PostgreSQL inserts/s, {c} clients (right after)",
                     http[f"piggyback_create_{c}"]["rps"], pg_adjacent[c]["inserts_per_s"], unit="req/s",
                     baseline_name=f"pgbench {c} clients", paired_ratio=r, note=ratios_text(per_round))

    m = "Memory (connectivityd VmRSS)"
    for connections, figures_at in sorted(memory.items()):
        rows.add(m, f"{connections} connections: VmRSS after start-up", figures_at["rss_start_kib"], unit="KiB",
                 note=f"start-up {figures_at['startup_s']:.2f} s")
        rows.add(m, f"{connections} connections: VmRSS after a full GET list", figures_at["rss_after_list_kib"],
                 unit="KiB", note=f"list {figures_at['list_bytes']} bytes in {figures_at['list_total_s']:.2f} s")
        rows.add(m, f"{connections} connections: peak (VmHWM)", figures_at["hwm_kib"], unit="KiB")
        if "hwm_after_load_kib" in figures_at:
            rows.add(m, f"{connections} connections: peak (VmHWM) after the HTTP load", figures_at["hwm_after_load_kib"],
                     unit="KiB")
    rows.add(m, "Mean connection JSON as listed", round(json_bytes), unit="bytes")

    c_section = "Micro benchmarks (connectivity-bench, median of repetitions)"
    for name, entry in sorted(cpu.items()):
        rate = entry["items_per_second"]
        time_spread = entry["real_time"]
        rows.add(c_section, name, round(rate["median"], 1) if rate else round(time_spread["median"], 3),
                 unit="items/s" if rate else entry["time_unit"], spread_text=cv_text(rate or time_spread),
                 note=", ".join(f"{k}={v:.4g}" for k, v in sorted(entry["counters"].items())
                                if not k.startswith("batch_le") and not k.startswith("batch_gt")))

    o = "Start-up and queries"
    after_crash = (f", after {start['after_crash_writes']} more creates and kill -9 "
                   f"(events replayed: {', '.join(str(n) for n in start.get('events_replayed', []))})"
                   if "after_crash_writes" in start else "")
    rows.add(o, f"Start-up to /health UP, {start['connections']} connections x 10 events{after_crash} (median of "
             f"{len(start['runs_s'])})", round(start["median_s"], 3), None, 1.0, higher_is_better=False, unit="s",
             spread_text=cv_text(start["spread"]))
    listing = mem_http["listing"]
    rows.add(o, f"GET /api/2/connections, {listing['connections']} connections: time to first byte",
             round(listing["ttfb_s"] * 1000, 1), unit="ms")
    rows.add(o, f"GET /api/2/connections, {listing['connections']} connections: total",
             round(listing["total_s"] * 1000, 1), unit="ms")
    rows.add(o, "GET /api/2/connections: peak RSS growth (vs answer size)", listing["rss_growth_bytes"],
             listing["bytes"], 2.0, higher_is_better=False, unit="bytes", baseline_name="answer bytes")
    rows.add(o, "at-historical-revision in the middle of 10,000 events (median)", round(history["median_ms"], 2),
             None, 5.0, higher_is_better=False, unit="ms")
    return rows.rows


def fmt(value):
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


def markdown(rows, meta):
    lines = [f"# Benchmark run {meta['stamp']}", "",
             f"Machine: {meta['machine']}. Command: `{meta['command']}`. Harness duration: "
             f"{meta['duration_s']:.0f} s (phases: " +
             ", ".join(f"{k} {v:.0f} s" for k, v in meta["phase_seconds"].items()) + "). Load average at start "
             f"{meta['load_start']}, at end {meta['load_end']}.", "",
             f"PostgreSQL: {meta.get('postgres', {}).get('version', '?')} "
             f"({meta.get('postgres', {}).get('settings', '')}).", ""]
    section = None
    for row in rows:
        if row["section"] != section:
            section = row["section"]
            lines += ["", f"## {section}", "", "| figure | value | baseline | ratio | target | met | spread / notes |",
                      "|---|---|---|---|---|---|---|"]
        target = "" if row["target"] is None else (">= " if row["higher_is_better"] else "<= ") + f"{row['target']}x" \
            if row["baseline"] is not None else (">= " if row["higher_is_better"] else "<= ") + f"{row['target']}"
        met = "" if row["met"] is None else ("yes" if row["met"] else "**no**")
        baseline = "" if row["baseline"] is None else f"{fmt(row['baseline'])} ({row['baseline_name']})" \
            if row["baseline_name"] else fmt(row["baseline"])
        ratio_text = "" if row["ratio"] is None else f"{row['ratio']}x"
        notes = "; ".join(x for x in (row["spread"], row["note"]) if x).replace("|", "\\|")
        lines.append(f"| {row['figure']} | {fmt(row['value'])} {row['unit']} | {baseline} | {ratio_text} | {target} "
                     f"| {met} | {notes} |")
    return "\n".join(lines) + "\n"


def machine():
    cpu = "unknown CPU"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    return f"{os.cpu_count()} cores ({cpu}), {memory} GiB, Linux {platform.release()}"


def spread_report(paths):
    """Markdown: every numeric figure of several runs side by side."""
    runs = [json.load(open(path)) for path in paths]
    stamps = [r["meta"]["stamp"] for r in runs]
    lines = ["| figure | " + " | ".join(stamps) + " | min | max | max/min |",
             "|---|" + "---|" * (len(runs) + 3)]
    keys = []
    for r in runs:
        for row in r["figures"]:
            key = (row["section"], row["figure"])
            if key not in keys:
                keys.append(key)
    for key in keys:
        cells = []
        for r in runs:
            match = [row for row in r["figures"] if (row["section"], row["figure"]) == key]
            row = match[0] if match else None
            value = None if row is None else (row["ratio"] if row["ratio"] is not None else row["value"])
            cells.append(value)
        numbers = [v for v in cells if isinstance(v, (int, float))]
        low, high = (min(numbers), max(numbers)) if numbers else (None, None)
        unit = "x" if any(row["ratio"] is not None for r in runs for row in r["figures"]
                          if (row["section"], row["figure"]) == key) else ""
        lines.append(f"| {key[1]}{' (ratio)' if unit else ''} | " + " | ".join(fmt(v) for v in cells) +
                     f" | {fmt(low)} | {fmt(high)} | {fmt(round(high / low, 2)) if low else ''} |")
    return "\n".join(lines) + "\n"
