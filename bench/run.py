#!/usr/bin/env python3
"""bench/run.py: our chat server (chat_server_ii_6) against a learner's Python asyncio
server (bench/peers/py_chat_server.py), scenario by scenario, measured by chat_bench.

Usage (from anywhere; paths are relative to this file's repository):
    python3 bench/run.py                  # every scenario: A B C D E F soak
    python3 bench/run.py A B              # a subset
    python3 bench/run.py --quick          # every scenario, scaled down (a minute or two)
    python3 bench/run.py --baseline OLD --no-python   # this build against an earlier one
    python3 bench/run.py --json out.json  # also keep every chat_bench report
    python3 bench/run.py --tokio-chat PATH  # also tokio's examples/chat.rs, built at PATH
    python3 bench/run.py --bonus --no-python A C E F   # also the bonus 3 server, as 'bonus3'
    python3 bench/run.py --binary --no-python A C F    # also the bonus 4 server, as 'bonus4'

It builds the release binaries first, then for each scenario and each server starts a
fresh server on an ephemeral port (its stdout, read for `Serving on`, and stderr go to
files, so a chatty server never blocks on a pipe), runs chat_bench against it with the
server's pid (for its memory), stops the server, and finally prints one markdown table
and the issue's targets, met or missed. Only loopback is used; every run is bounded by
chat_bench's --duration-limit and by a timeout here.

`--tokio-chat PATH` adds a third server: a build of tokio's own chat example
(tokio-rs/tokio, `examples/chat.rs`), which is not part of this repository. It takes its
address as its only argument, asks each client for a name (its first line) and relays
`<name>: <line>`; it is started on a free port chosen here and measured with
`chat_bench --handshake name`. BENCHMARKS.md says how it was built.

`--bonus` adds `chat_server_bonus_3_config` (the complete bonus 1-3 server) as "bonus3". It
relays `[HH:MM] ESC[<sgr>m<pseudo>ESC[0m a dit : <msg>`, which chat_bench's markers find as
they find ii_6's relays, and it logs a line per connect, join, message received, message
relayed and leave to stdout and to its log file: stdout goes to a file like every server's,
and `--log-file` points into the server's temporary directory (its default,
/var/log/chat_room/server.log, is not ours to write). With it the targets also compare
bonus3 with "rust" (ii_6): throughput within 0.8x, p99 within 1.25x, RSS per idle client
within 1.25x.

`--binary` adds `chat_server_bonus_4_encoding` (bonus 3 over the binary frames of bonus 4)
as "bonus4", loaded by `chat_bench --binary`, with the same log file arrangement; the targets
compare it with ii_6 as for bonus3 (and it is expected to be at least as fast as bonus3).

Binaries are taken from `$CARGO_TARGET_DIR/release` when that variable is set (as cargo
builds them there), else from `target/release`.

Scenarios (full size):
    A      burst: 100 clients, 10 senders x 200 messages of 64 bytes, flat out
    B      burst: 500 clients, 10 senders x 100 messages of 64 bytes, flat out
    C      latency: 100 clients, 10 senders, 500 messages/s in total for 10 s, 64 bytes
    D      C with 1000-byte messages
    E      D plus one client that never reads
    F      10,000 joined idle clients, held 5 s: the server's memory per client
    soak   500 clients, 10 senders, 200 messages/s for 60 s, RSS sampled every 5 s
"""

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Where `cargo build` puts the binaries: it honours CARGO_TARGET_DIR (relative to the
# directory it runs in, ROOT here), so the binaries measured are the ones just built.
RELEASE = ROOT / os.environ.get("CARGO_TARGET_DIR", "target") / "release"
RUST_SERVER = RELEASE / "chat_server_ii_6"
BONUS_SERVER = RELEASE / "chat_server_bonus_3_config"
BINARY_SERVER = RELEASE / "chat_server_bonus_4_encoding"
CHAT_BENCH = RELEASE / "chat_bench"
PY_SERVER = ROOT / "bench/peers/py_chat_server.py"
# Each server's command, given the fresh temporary directory it runs in.
SERVERS = {
    "rust": lambda workdir: [str(RUST_SERVER), "--port", "0"],
    "python": lambda workdir: [sys.executable, str(PY_SERVER), "--port", "0"],
}
# Servers that take `<ip>:<port>` as their argument and print no `Serving on` line, with
# the chat_bench handshake they need. Filled from the command line.
ADDRESS_SERVERS = {}
# chat_bench flags a server needs beyond the scenario's (the bonus 4 server speaks frames).
BENCH_FLAGS = {"bonus4": ["--binary"]}


def scenario(clients, senders=10, messages=0, size=64, rate=0, seconds=0, limit=120, **extra):
    """chat_bench's flags for one scenario. With a rate, `seconds` gives the messages."""
    if rate and seconds:
        messages = int(rate * seconds / senders)
    flags = {"clients": clients, "senders": senders, "messages": max(messages, 1),
             "size": size, "rate": rate, "duration-limit": limit}
    flags.update({k.replace("_", "-"): v for k, v in extra.items()})
    return flags


FULL = {
    "A": scenario(100, messages=200),
    "B": scenario(500, messages=100),
    "C": scenario(100, rate=500, seconds=10),
    "D": scenario(100, rate=500, seconds=10, size=1000),
    "E": scenario(100, rate=500, seconds=10, size=1000, never_readers=1),
    "F": scenario(10_000, senders=0, hold=5, limit=240),
    "soak": scenario(500, rate=200, seconds=60, limit=180, rss_interval=5),
}
# Scaled down to show that everything works. D and E use 4000-byte messages so that the
# never-reader of E receives more than the server's queue plus the kernel's buffers (about
# 4 MB in all on loopback) within 3 s and is cut off.
QUICK = {
    "A": scenario(50, senders=5, messages=100),
    "B": scenario(100, senders=5, messages=50),
    "C": scenario(50, senders=5, rate=500, seconds=3),
    "D": scenario(50, senders=5, rate=500, seconds=3, size=4000),
    "E": scenario(50, senders=5, rate=500, seconds=3, size=4000, never_readers=1),
    "F": scenario(1000, senders=0, hold=1, limit=60),
    "soak": scenario(50, senders=5, rate=100, seconds=10, limit=60, rss_interval=2),
}


def build(extra):
    print("building release binaries ...", file=sys.stderr, flush=True)
    bonus = [arg for server in extra for arg in ("--bin", server.name)]
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "chat_server_ii_6",
                    "--bin", "chat_bench", *bonus], cwd=ROOT, check=True)


def free_port():
    """A port nobody listens on right now (the kernel's choice for an ephemeral bind)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def start_server(kind, workdir):
    """Starts a server; returns (process, ip, port) once it listens: for ours and the
    Python one, once it has printed `Serving on`; for an address server, once it accepts."""
    out = open(workdir / f"{kind}.out", "w")
    err = open(workdir / f"{kind}.err", "w")
    if kind in ADDRESS_SERVERS:
        port = free_port()
        command = [ADDRESS_SERVERS[kind]["path"], f"127.0.0.1:{port}"]
    else:
        command = SERVERS[kind](workdir)
    proc = subprocess.Popen(command, stdout=out, stderr=err, cwd=workdir)
    give_up = time.monotonic() + 10
    while time.monotonic() < give_up:
        if proc.poll() is not None:
            break
        if kind in ADDRESS_SERVERS:
            if listening(port):
                return proc, "127.0.0.1", str(port)
        else:
            first = (workdir / f"{kind}.out").read_text().split("\n", 1)
            if len(first) == 2 and first[0].startswith("Serving on "):
                ip, port = first[0][len("Serving on "):].rsplit(":", 1)
                return proc, ip, port
        time.sleep(0.05)
    stop_server(proc)
    raise RuntimeError(f"{kind} server did not start listening (see {workdir})")


def stop_server(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run_one(kind, flags):
    """One chat_bench run against a fresh server; returns its report (a dict)."""
    with tempfile.TemporaryDirectory(prefix=f"chat_bench_{kind}_") as tmp:
        proc, ip, port = start_server(kind, Path(tmp))
        try:
            cmd = [str(CHAT_BENCH), "-a", ip, "-p", port, "--json", "--server-pid",
                   str(proc.pid)]
            for flag, value in flags.items():
                cmd += [f"--{flag}", str(value)]
            if kind in ADDRESS_SERVERS:
                cmd += ["--handshake", ADDRESS_SERVERS[kind]["handshake"]]
            cmd += BENCH_FLAGS.get(kind, [])
            done = subprocess.run(cmd, capture_output=True, text=True,
                                  timeout=flags["duration-limit"] + 60)
        finally:
            stop_server(proc)
    if done.returncode not in (0, 3) or not done.stdout.strip():
        raise RuntimeError(f"chat_bench failed ({done.returncode}): {done.stderr.strip()}")
    report = json.loads(done.stdout)
    shown = cmd[:1] + ["-a", ip, "-p", "<port>", "--json", "--server-pid", "<pid>"] + cmd[8:]
    report["command"] = " ".join(shown)
    return report


def cell(value, digits=0):
    if value is None:
        return "-"
    return f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"


def row(name, kind, r):
    lat = r.get("latency_us") or {}
    mem = r.get("server_memory") or {}
    never = r.get("never_readers") or []
    cut = "/".join("yes" if n["disconnected"] else "no" for n in never) or "-"
    peak = mem.get("peak_kib")
    sending = r["senders"] > 0
    msgs = f"{r['senders']}x{r['messages']}" if sending else "0"
    # Per client only means something when the clients are idle (scenario F).
    per_client = None if sending else mem.get("per_client_kib")
    return (f"| {name} | {kind} | {cell(r['joined'])}/{cell(r['clients'])} | {msgs} "
            f"| {cell(r['rate']) if r['rate'] else ('flat out' if sending else '-')} "
            f"| {cell(r['msgs_per_sec']) if sending else '-'} | {cell(r['loss'])} | {cell(r['duplicates'])} "
            f"| {cell(r['order_violations'])} | {cell(lat.get('p50'))} | {cell(lat.get('p99'))} "
            f"| {cell(lat.get('max'))} | {cut} | {cell(peak and peak / 1024, 1)} "
            f"| {cell(per_client, 1)} | {r['stopped_by']} |")


HEADER = ("| scenario | server | clients joined | senders x msgs | rate (msgs/s) | delivered msgs/s "
          "| loss | dup | order violations | p50 µs | p99 µs | max µs | never-reader cut "
          "| peak RSS MiB | RSS/client KiB | stopped by |\n" + "|---" * 16 + "|")


def targets(results):
    """The issue's targets, checked on whatever scenarios were run."""
    def get(name, kind):
        return results.get((name, kind))

    def p99(r):
        return (r.get("latency_us") or {}).get("p99")

    lines = []
    for name in ("A", "B"):
        rust, py = get(name, "rust"), get(name, "python")
        if rust and py:
            ratio = rust["msgs_per_sec"] / py["msgs_per_sec"] if py["msgs_per_sec"] else None
            ok = ratio is not None and ratio >= 8 and rust["loss"] == 0 \
                and rust["order_violations"] == 0
            lines.append(f"{name}: {cell(ratio, 1)}x the reference's msgs/s, loss "
                         f"{rust['loss']}, order violations {rust['order_violations']} "
                         f"(target >= 8x, 0, 0): {'met' if ok else 'MISSED'}")
    rust, py = get("C", "rust"), get("C", "python")
    if rust and py and p99(rust) is not None:
        ok = p99(rust) <= 1000 and (p99(py) is None or p99(rust) <= p99(py))
        lines.append(f"C: p99 {p99(rust)} µs vs reference {p99(py)} µs "
                     f"(target <= 1000 µs and no worse): {'met' if ok else 'MISSED'}")
    d, e = get("D", "rust"), get("E", "rust")
    if e and not d:
        cut = all(n["disconnected"] for n in e["never_readers"])
        lines.append(f"E: never-reader cut: {'yes' if cut else 'no'} (D not run: its p99 "
                     f"target not checked)")
    elif e:
        cut = all(n["disconnected"] for n in e["never_readers"])
        ok = cut and d is not None and p99(d) and p99(e) <= 1.2 * p99(d)
        lines.append(f"E: never-reader cut: {'yes' if cut else 'no'}; p99 {p99(e)} µs vs "
                     f"D {p99(d) if d else '-'} µs (target: cut, within 1.2x): "
                     f"{'met' if ok else 'MISSED'}")
    for peer in ADDRESS_SERVERS:
        for name in ("A", "B"):
            rust, other = get(name, "rust"), get(name, peer)
            if rust and other and other["msgs_per_sec"]:
                lines.append(f"{name}: {rust['msgs_per_sec'] / other['msgs_per_sec']:.1f}x "
                             f"{peer}'s msgs/s (loss: ours {rust['loss']}, "
                             f"{peer} {other['loss']})")
        for name in ("C", "D"):
            rust, other = get(name, "rust"), get(name, peer)
            if rust and other and p99(rust) is not None and p99(other) is not None:
                lines.append(f"{name}: p99 {p99(rust)} µs vs {peer} {p99(other)} µs")
    for name in ("A", "B", "C", "D", "E", "F", "soak"):
        for kind in ("bonus3", "bonus4"):
            lines.extend(bonus_targets(name, kind, get(name, kind), get(name, "rust")))
    f = get("F", "rust")
    if f and (f.get("server_memory") or {}).get("per_client_kib") is not None:
        per = f["server_memory"]["per_client_kib"]
        lines.append(f"F: {per:.1f} KiB per idle client (target <= 10 KiB): "
                     f"{'met' if per <= 10 else 'MISSED'}")
    for kind in (*SERVERS, *ADDRESS_SERVERS):
        s = get("soak", kind)
        if s and (s.get("server_memory") or {}).get("samples"):
            mib = [f"{kib / 1024:.1f}" for _, kib in s["server_memory"]["samples"]]
            lines.append(f"soak ({kind}): loss {s['loss']}; RSS MiB every "
                         f"{s.get('rss_interval', 'few')} s: {' '.join(mib)}")
    return lines


def bonus_targets(name, kind, bonus, rust):
    """The bonus server against ii_6 in one scenario: throughput within 0.8x, p99 within
    1.25x, and (idle clients) RSS per client within 1.25x."""
    if not (bonus and rust):
        return []
    lines = []
    if rust["senders"] > 0 and rust["msgs_per_sec"]:
        ratio = bonus["msgs_per_sec"] / rust["msgs_per_sec"]
        lines.append(f"{name} {kind}/ii_6: {cell(ratio, 2)}x the msgs/s "
                     f"({cell(bonus['msgs_per_sec'])} vs {cell(rust['msgs_per_sec'])}; "
                     f"target >= 0.8x, loss {bonus['loss']}): "
                     f"{'met' if ratio >= 0.8 and bonus['loss'] == 0 else 'MISSED'}")
        ours, theirs = ((r.get("latency_us") or {}).get("p99") for r in (bonus, rust))
        if ours is not None and theirs:
            ratio = ours / theirs
            lines.append(f"{name} {kind}/ii_6: p99 {cell(ours)} vs {cell(theirs)} µs = "
                         f"{cell(ratio, 2)}x (target <= 1.25x): "
                         f"{'met' if ratio <= 1.25 else 'MISSED'}")
    else:
        ours, theirs = ((r.get("server_memory") or {}).get("per_client_kib")
                        for r in (bonus, rust))
        if ours is not None and theirs:
            ratio = ours / theirs
            lines.append(f"{name} {kind}/ii_6: {ours:.1f} vs {theirs:.1f} KiB per idle client"
                         f" = {cell(ratio, 2)}x (target <= 1.25x): "
                         f"{'met' if ratio <= 1.25 else 'MISSED'}")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", help="A B C D E F soak (default: all)")
    parser.add_argument("--quick", action="store_true", help="scaled-down scenarios")
    parser.add_argument("--json", metavar="FILE", help="write every report to FILE")
    parser.add_argument("--no-build", action="store_true", help="use the binaries as built")
    parser.add_argument("--tokio-chat", metavar="PATH",
                        help="also measure this build of tokio's examples/chat.rs")
    parser.add_argument("--baseline", metavar="PATH",
                        help="also measure this other build of chat_server_ii_6 (an earlier "
                             "commit's), as 'baseline', in the same run")
    parser.add_argument("--no-python", action="store_true",
                        help="skip the Python reference server")
    parser.add_argument("--binary", action="store_true",
                        help="also measure chat_server_bonus_4_encoding (frames), as 'bonus4', "
                             "against chat_server_ii_6 ('rust')")
    parser.add_argument("--bonus", action="store_true",
                        help="also measure chat_server_bonus_3_config, as 'bonus3', against "
                             "chat_server_ii_6 ('rust')")
    args = parser.parse_args()
    if args.baseline:
        baseline = Path(args.baseline).resolve()
        if not (baseline.is_file() and os.access(baseline, os.X_OK)):
            parser.error(f"--baseline {args.baseline}: not an executable file")
        SERVERS["baseline"] = lambda workdir: [str(baseline), "--port", "0"]
    if args.no_python:
        del SERVERS["python"]
    if args.bonus:
        # Its log file in the server's temporary directory, deleted with it.
        SERVERS["bonus3"] = lambda workdir: [str(BONUS_SERVER), "--port", "0", "--log-file",
                                             str(workdir / "server.log")]
    if args.binary:
        SERVERS["bonus4"] = lambda workdir: [str(BINARY_SERVER), "--port", "0", "--log-file",
                                             str(workdir / "server.log")]
    if args.tokio_chat:
        path = Path(args.tokio_chat).resolve()
        if not (path.is_file() and os.access(path, os.X_OK)):
            parser.error(f"--tokio-chat {args.tokio_chat}: not an executable file")
        ADDRESS_SERVERS["tokio-example"] = {"path": str(path), "handshake": "name"}
    table = QUICK if args.quick else FULL
    names = args.scenarios or list(table)
    unknown = [n for n in names if n not in table]
    if unknown:
        parser.error(f"unknown scenario(s): {' '.join(unknown)} (known: {' '.join(table)})")
    # 10,000 clients need 10,000 descriptors in the server too: raise ours, it inherits.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if not args.no_build:
        build([server for on, server in ((args.bonus, BONUS_SERVER),
                                         (args.binary, BINARY_SERVER)) if on])

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start; "
          f"{'quick' if args.quick else 'full'} scenarios", flush=True)
    results, reports = {}, []
    for name in names:
        for kind in [*SERVERS, *ADDRESS_SERVERS]:
            print(f"running {name} against {kind} ...", file=sys.stderr, flush=True)
            try:
                report = run_one(kind, table[name])
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                print(f"  {name}/{kind}: {e}", file=sys.stderr)
                continue
            report.update(scenario=name, server_kind=kind,
                          rss_interval=table[name].get("rss-interval"))
            results[(name, kind)] = report
            reports.append(report)
            for warning in report["warnings"]:
                print(f"  {name}/{kind}: warning: {warning}", file=sys.stderr)

    print()
    print(HEADER)
    for (name, kind), report in results.items():
        print(row(name, kind, report))
    print()
    if args.quick:
        print("(quick sizes: the targets below are the issue's, checked on smaller runs)")
    for line in targets(results):
        print(f"- {line}")
    if args.json:
        Path(args.json).write_text(json.dumps(reports, indent=1))


if __name__ == "__main__":
    main()
