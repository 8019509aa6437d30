#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench/report.py OUT: the raw records of bench/guest.sh (OUT/raw/*.jsonl)
summarised into OUT/results.json, OUT/table.txt and the gnuplot data files
OUT/plot/*.dat that bench/plots.gp draws.  Host side, Python 3 standard
library only.  See Documentation/bench.rst for what each figure means."""

import json
import os
import statistics
import sys

MODES = ["tcp", "openssl", "ktls-sw", "ktls-openssl", "emu", "mlx5", "null"]
IOS = ["write", "sendfile"]
PATHS = ["plain", "emu", "mlx5", "null"]
PATH_LABEL = {"plain": "software kTLS", "emu": "tlsdev emu",
              "mlx5": "tlsdev mlx5", "null": "tlsdev null"}
MSS = 1448      # veth MTU 1500, IPv4, TCP timestamps
RECORD = 16384 + 5 + 8 + 16     # a full TLS 1.2 AES-GCM record on the wire


def load(out, name):
    path = os.path.join(out, "raw", name + ".jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def stats(values):
    v = [x for x in values if x is not None]
    if not v:
        return None
    return {"median": statistics.median(v), "min": min(v), "max": max(v),
            "n": len(v)}


def med(s):
    return s["median"] if s else None


def counter(snap, side, name):
    """A counter of one end ("tx": the sender's namespace, "rx": the
    receiver's): a tlsdev counter (rx_tls_*, tx_tls_*), else TCP MIB."""
    end = (snap or {}).get(side) or {}
    if name.startswith(("tx_tls_", "rx_tls_")):
        devs = list((end.get("dev") or {}).values())
        return devs[0].get(name) if devs else None
    return (end.get("tcp") or {}).get(name)


def delta(rec, side, name):
    b = counter(rec["counters_before"], side, name)
    a = counter(rec["counters_after"], side, name)
    return None if a is None or b is None else a - b


def cpu_busy_s(rec, hz):
    busy = ("user", "nice", "system", "irq", "softirq", "steal")
    return sum(rec["cpu_after"][k] - rec["cpu_before"][k] for k in busy) / hz


def ok(rec):
    return (rec["rc_server"] == 0 and rec["rc_client"] == 0 and
            rec.get("sender") and rec.get("receiver"))


def point(rec, hz):
    """The figures of one transfer."""
    snd, rcv = rec["sender"], rec["receiver"]
    hs = (snd.get("handshake") or {}).get("handshake_s") if snd else None
    if rec["mode"] != "null" or not hs:
        pass
    fb = rcv.get("first_byte_s") if rcv else None
    if rec["mode"] == "null":
        fb = None       # includes the wait for the receiver's RX context
    cpu = cpu_busy_s(rec, hz)
    return {"mb_s": snd["mb_per_s"] if snd else None,
            "cpu_s_per_gb": cpu / (rec["bytes"] / 1e9),
            "handshake_ms": hs * 1e3 if hs else None,
            "first_byte_ms": fb * 1e3 if fb is not None else None}


def summarise_matrix(recs, hz, aes_mb):
    groups = {}
    for r in recs:
        g = groups.setdefault((r["mode"], r["io"], r["bytes"]),
                              {"runs": 0, "failed": 0, "points": []})
        g["runs"] += 1
        if ok(r):
            g["points"].append(point(r, hz))
        else:
            g["failed"] += 1
    rows = []
    for (mode, io, size), g in groups.items():
        row = {"mode": mode, "io": io, "bytes": size, "runs": g["runs"],
               "failed": g["failed"]}
        for k in ("mb_s", "cpu_s_per_gb", "handshake_ms", "first_byte_ms"):
            row[k] = stats([p[k] for p in g["points"]])
        rows.append(row)
    for row in rows:
        tcp = next((r for r in rows if r["mode"] == "tcp" and
                    r["io"] == row["io"] and r["bytes"] == row["bytes"]), None)
        m = med(row["mb_s"])
        row["of_tcp"] = (m / med(tcp["mb_s"]) if m and tcp and
                         med(tcp["mb_s"]) else None)
        row["of_crypto_limit"] = m / aes_mb if m and aes_mb else None
    order = {m: i for i, m in enumerate(MODES)}
    rows.sort(key=lambda r: (r["bytes"], IOS.index(r["io"]),
                             order.get(r["mode"], 99)))
    return rows


def summarise_loss(recs, hz):
    groups = {}
    for r in recs:
        groups.setdefault((r["mode"], r["loss_pct"]), []).append(r)
    rows = []
    for (mode, pct), rs in groups.items():
        good = [r for r in rs if ok(r)]
        row = {"mode": mode, "loss_pct": pct, "runs": len(rs),
               "failed": len(rs) - len(good),
               "mb_s": stats([r["sender"]["mb_per_s"] for r in good])}
        sums = {}
        for name, side in (("tx_tls_ooo", "tx"),
                           ("tx_tls_dump_packets", "tx"),
                           ("tx_tls_dump_bytes", "tx"),
                           ("tx_tls_resync_req", "tx"),
                           ("tx_tls_drop_no_sync_data", "tx"),
                           ("rx_tls_ooo", "rx"),
                           ("rx_tls_sync_lost", "rx"),
                           ("rx_tls_resync_req_pkt", "rx"),
                           ("rx_tls_resync_res_ok", "rx"),
                           ("rx_tls_decrypted_bytes", "rx"),
                           ("RetransSegs", "tx"),
                           ("OutSegs", "tx")):
            vals = [delta(r, side, name) for r in good]
            vals = [v for v in vals if v is not None]
            sums[name] = sum(vals) if vals else None
        row["counters"] = sums
        rt = sums["RetransSegs"]
        dump = sums["tx_tls_dump_bytes"]
        ooo = sums["tx_tls_ooo"]
        row["retrans_bytes_est"] = rt * MSS if rt is not None else None
        row["reencrypted_per_retrans_byte"] = (
            dump / (rt * MSS) if dump is not None and rt else None)
        row["reencrypted_per_ooo_packet"] = (
            dump / ooo if dump is not None and ooo else None)
        rows.append(row)
    for row in rows:
        sw = next((r for r in rows if r["mode"] == "ktls-sw" and
                   r["loss_pct"] == row["loss_pct"]), None)
        m = med(row["mb_s"])
        row["of_ktls_sw"] = (m / med(sw["mb_s"]) if m and sw and
                             med(sw["mb_s"]) else None)
    order = {m: i for i, m in enumerate(MODES)}
    rows.sort(key=lambda r: (r["loss_pct"], order.get(r["mode"], 99)))
    return rows


def per_conn_bytes(res, key, field):
    v = (res.get(key) or {}).get(field)
    n = res.get("connected") or 0
    if key == "mem_tls_kb" and res.get("installed") is not None:
        n = res["installed"]
    if v is None or not n:
        return None
    return v * 1024 / n


def install_figures(res):
    f = {}
    for d in ("ulp", "tx", "rx"):
        t = res.get(d) or {}
        f[d + "_median_us"] = t.get("median_us")
        f[d + "_p99_us"] = t.get("p99_us")
        f[d + "_rate_per_s"] = t.get("rate_per_s")
        f[d + "_fail"] = t.get("fail")
    st = res.get("tls_stat_delta") or {}
    for k in ("TlsCurrTxDevice", "TlsCurrTxSw", "TlsCurrRxDevice",
              "TlsCurrRxSw"):
        f[k] = st.get(k)
    # MemFree falls by what the kTLS state took: bytes per connection
    free = per_conn_bytes(res, "mem_tls_kb", "MemFree")
    f["tls_bytes_per_conn"] = -free if free is not None else None
    f["tls_slab_bytes_per_conn"] = per_conn_bytes(res, "mem_tls_kb", "Slab")
    tfree = per_conn_bytes(res, "mem_tcp_kb", "MemFree")
    f["tcp_pair_bytes_per_conn"] = -tfree if tfree is not None else None
    f["connected"] = res.get("connected")
    f["installed"] = res.get("installed")
    f["stopped_low_memory"] = res.get("stopped_low_memory")
    f["connect_error"] = res.get("connect_error")
    f["connect_rate_per_s"] = (res["connected"] / res["connect_s"]
                               if res.get("connect_s") else None)
    return f


def summarise_install(recs):
    groups = {}
    for r in recs:
        groups.setdefault(r["path"], []).append(r)
    rows = []
    for path in PATHS:
        rs = groups.get(path)
        if not rs:
            continue
        figs = [install_figures(r["result"]) for r in rs if r["result"]]
        row = {"path": path, "n": rs[0]["n"], "runs": len(rs),
               "failed": sum(1 for r in rs if r["rc"] != 0)}
        for k in figs[0] if figs else ():
            vals = [f[k] for f in figs]
            if all(isinstance(v, (int, float)) or v is None for v in vals):
                row[k] = stats(vals)
            else:
                row[k] = vals[0]
        rows.append(row)
    sw = next((r for r in rows if r["path"] == "plain"), None)
    for row in rows:
        a, b = med(row.get("tx_median_us")), med((sw or {}).get("tx_median_us"))
        row["tx_latency_vs_sw"] = a / b if a and b else None
    return rows


def summarise_conc(recs):
    rows = []
    for r in recs:
        f = install_figures(r["result"]) if r["result"] else {}
        f.update({"path": r["path"], "n": r["n"], "rc": r["rc"]})
        rows.append(f)
    return rows


def summarise_parallel(recs):
    groups = {}
    for r in recs:
        groups.setdefault(r["mode"], []).append(r)
    rows = []
    for mode, rs in groups.items():
        good = [r for r in rs if ok(r)]
        # the streams run at once: all bytes over the longest data phase
        # (the group's wall time also holds process starts and handshakes)
        span = max((r["sender"]["elapsed_s"] for r in good), default=0)
        wall = max(r["group_wall_s"] for r in rs)
        total = sum(r["bytes"] for r in good)
        rows.append({"mode": mode, "streams": rs[0]["streams"],
                     "failed": len(rs) - len(good),
                     "aggregate_mb_s": total / span / 1e6 if span else None,
                     "group_wall_s": wall,
                     "per_stream_mb_s": [r["sender"]["mb_per_s"]
                                         for r in good]})
    return rows


def fmt(v, spec="%.1f", none="-"):
    if v is None:
        return none
    return spec % (v + 0.0 if v else 0.0)     # no "-0"


def fmt_s(s, spec="%.1f"):
    if not s:
        return "-"
    if s["n"] == 1:
        return spec % s["median"]
    return (spec + " [" + spec + "-" + spec + "]") % (s["median"], s["min"],
                                                     s["max"])


def table(summary):
    L = []
    lim = summary["limits"]
    L.append("tls_dev benchmark (%s), %s" % (summary["profile"],
                                             summary.get("date", "")))
    L.append("guest: kernel %s, %s vCPUs (%s), %d MiB; %s" % (
        lim.get("kernel"), lim.get("cpus"), lim.get("cpu_model"),
        (lim.get("mem_kb") or 0) // 1024, lim.get("openssl_version")))
    L.append("local limits (in the guest, same run): openssl speed -evp "
             "aes-128-gcm (16 KiB) %s MB/s, sha256 %s MB/s; kernel gcm(aes): "
             "%s" % (fmt(summary["crypto_limit_mb_s"]),
                     fmt(summary["sha256_mb_s"]),
                     summary["crypto_drivers"].get("gcm(aes)")))
    drv = summary["crypto_drivers"]
    if drv.get("ctr(aes)"):
        L.append("the emu engine's drivers: ctr(aes) %s, __ctr(aes) %s "
                 "(where SIMD is usable), ghash %s" % (
                     drv.get("ctr(aes)"), drv.get("__ctr(aes)") or "-",
                     drv.get("ghash")))
    if lim.get("pinned") is not None:
        L.append("placement: %s" % (
            "two hosts, sender CPU 0, receiver CPU 1 (processes and RPS)"
            if lim["pinned"] else "left to the scheduler (BENCH_PIN=0)"))
    L.append("")
    L.append("Throughput per mode: median [min-max] over the repetitions; MB/s "
             "= 10^6 B/s, sender side, end to end;")
    L.append("CPU = whole-VM busy seconds (/proc/stat: user+sys+irq+softirq) "
             "per 10^9 bytes; x tcp / x crypto = the")
    L.append("median as a fraction of tcp (same size, same I/O) and of the "
             "openssl AES-128-GCM rate.")
    for size in sorted({r["bytes"] for r in summary["matrix"]}):
        for io in IOS:
            rows = [r for r in summary["matrix"]
                    if r["bytes"] == size and r["io"] == io]
            if not rows:
                continue
            L.append("")
            L.append("%d MiB, %s" % (size >> 20, io))
            L.append("%-13s %-26s %-24s %6s %7s %-20s %-18s %s" % (
                "mode", "MB/s", "CPU s/GB", "x tcp", "x crypto",
                "handshake ms", "first byte ms", "ok"))
            for r in rows:
                L.append("%-13s %-26s %-24s %6s %7s %-20s %-18s %d/%d" % (
                    r["mode"], fmt_s(r["mb_s"], "%.2f"),
                    fmt_s(r["cpu_s_per_gb"], "%.0f"),
                    fmt(r["of_tcp"], "%.2f"), fmt(r["of_crypto_limit"], "%.2f"),
                    fmt_s(r["handshake_ms"], "%.0f"),
                    fmt_s(r["first_byte_ms"], "%.0f"),
                    r["runs"] - r["failed"], r["runs"]))
    if summary["loss"]:
        L.append("")
        L.append("Loss sweep (netem on the sender's veth, TSO/GSO off): MB/s, "
                 "as a fraction of software kTLS at the same loss;")
        L.append("TX resync = the sender device's tx_tls_ooo / dump packets / "
                 "dump bytes; RX = the receiver device's rx_tls_ooo /")
        L.append("sync_lost / resync_res_ok; retrans = the sender's TCP "
                 "RetransSegs; re-enc/B = dump bytes per retransmitted byte "
                 "(RetransSegs x %d);" % MSS)
        L.append("re-enc/seg = dump bytes per out-of-order segment (one "
                 "record = %d bytes)." % RECORD)
        L.append("%-6s %-8s %-22s %6s %-20s %-16s %8s %8s %9s %s" % (
            "loss%", "mode", "MB/s", "x sw", "TX ooo/dump/bytes",
            "RX ooo/lost/ok", "retrans", "re-enc/B", "re-enc/seg", "ok"))
        for r in summary["loss"]:
            c = r["counters"]

            def g(k):
                return "-" if c.get(k) is None else str(c[k])
            L.append("%-6s %-8s %-22s %6s %-20s %-16s %8s %8s %9s %d/%d" % (
                r["loss_pct"], r["mode"], fmt_s(r["mb_s"], "%.2f"),
                fmt(r["of_ktls_sw"], "%.2f"),
                "/".join(g(k) for k in ("tx_tls_ooo", "tx_tls_dump_packets",
                                        "tx_tls_dump_bytes")),
                "/".join(g(k) for k in ("rx_tls_ooo", "rx_tls_sync_lost",
                                        "rx_tls_resync_res_ok")),
                g("RetransSegs"),
                fmt(r["reencrypted_per_retrans_byte"], "%.2f"),
                fmt(r["reencrypted_per_ooo_packet"], "%.0f"),
                r["runs"] - r["failed"], r["runs"]))
    if summary["install"]:
        L.append("")
        L.append("Connection installation (bench/tlsinstall: TCP_ULP + "
                 "TLS_TX + TLS_RX on N idle connections, one after another):")
        L.append("latency median [min-max over repetitions] of each call in "
                 "us, rate = calls/s of setsockopt time; hw/sw = TlsCurr*")
        L.append("deltas; memory = MemFree drop per connection from kTLS "
                 "state (and Slab share); TCP pair = both sockets of a "
                 "connection.")
        L.append("%-14s %5s %-22s %-10s %-22s %-10s %-11s %-11s %-9s %s" % (
            "path", "N", "TX us", "TX/s", "RX us", "RX/s", "TX hw/sw",
            "RX hw/sw", "B/conn", "slab B, TCP pair B"))
        for r in summary["install"]:
            def m(k):
                return med(r.get(k))
            L.append("%-14s %5d %-22s %-10s %-22s %-10s %-11s %-11s %-9s %s/%s" % (
                PATH_LABEL[r["path"]], r["n"], fmt_s(r.get("tx_median_us")),
                fmt(m("tx_rate_per_s"), "%.0f"), fmt_s(r.get("rx_median_us")),
                fmt(m("rx_rate_per_s"), "%.0f"),
                "%s/%s" % (fmt(m("TlsCurrTxDevice"), "%d"),
                           fmt(m("TlsCurrTxSw"), "%d")),
                "%s/%s" % (fmt(m("TlsCurrRxDevice"), "%d"),
                           fmt(m("TlsCurrRxSw"), "%d")),
                fmt(m("tls_bytes_per_conn"), "%.0f"),
                fmt(m("tls_slab_bytes_per_conn"), "%.0f"),
                fmt(m("tcp_pair_bytes_per_conn"), "%.0f")))
    if summary["conc"]:
        L.append("")
        L.append("Concurrent connections (all open at once, kTLS on each):")
        for r in summary["conc"]:
            if r.get("stopped_low_memory"):
                L.append("  %s: stopped at MemAvailable < 64 MiB while "
                         "%sing, after %s installed" % (
                             PATH_LABEL[r["path"]], r["stopped_low_memory"],
                             fmt(r.get("installed"), "%d")))
            L.append("  %s: %s of %d connected%s; TX offloaded %s, software "
                     "%s; RX offloaded %s, software %s; kTLS %s B/conn, TCP "
                     "pair %s B/conn; TX install median %s us" % (
                         PATH_LABEL[r["path"]], fmt(r.get("connected"), "%d"),
                         r["n"],
                         " (%s)" % r["connect_error"] if r.get("connect_error")
                         else "",
                         fmt(r.get("TlsCurrTxDevice"), "%d"),
                         fmt(r.get("TlsCurrTxSw"), "%d"),
                         fmt(r.get("TlsCurrRxDevice"), "%d"),
                         fmt(r.get("TlsCurrRxSw"), "%d"),
                         fmt(r.get("tls_bytes_per_conn"), "%.0f"),
                         fmt(r.get("tcp_pair_bytes_per_conn"), "%.0f"),
                         fmt(r.get("tx_median_us"))))
    if summary["parallel"]:
        L.append("")
        L.append("Total crypto throughput (parallel streams at once, "
                 "aggregate MB/s = all bytes / the longest data phase):")
        for r in summary["parallel"]:
            L.append("  %-8s %d streams: %s MB/s (per stream: %s)%s" % (
                r["mode"], r["streams"], fmt(r["aggregate_mb_s"], "%.2f"),
                ", ".join("%.2f" % v for v in r["per_stream_mb_s"]),
                " %d failed" % r["failed"] if r["failed"] else ""))
    if summary.get("sections_s"):
        L.append("")
        L.append("guest time per section (s): " + ", ".join(
            "%s %d" % kv for kv in summary["sections_s"].items()))
    return "\n".join(L) + "\n"


def write_dat(out, summary):
    d = os.path.join(out, "plot")
    os.makedirs(d, exist_ok=True)
    sizes = sorted({r["bytes"] for r in summary["matrix"]})

    def cell(s):
        return ("%g %g %g" % (s["median"], s["min"], s["max"]) if s
                else "NaN NaN NaN")
    for key, fname in (("mb_s", "throughput"), ("cpu_s_per_gb", "cpu")):
        for size in sizes:
            with open(os.path.join(d, "%s-%d.dat" % (fname, size >> 20)),
                      "w") as f:
                f.write("# mode write(med min max) sendfile(med min max)\n")
                for mode in MODES:
                    cells = []
                    for io in IOS:
                        r = next((r for r in summary["matrix"]
                                  if r["mode"] == mode and r["io"] == io and
                                  r["bytes"] == size), None)
                        cells.append(cell(r[key] if r else None))
                    f.write("%s %s\n" % (mode, " ".join(cells)))
    with open(os.path.join(d, "size.dat"), "w") as f:
        f.write("# MiB then the write median MB/s of each mode: %s\n" %
                " ".join(MODES))
        for size in sizes:
            vals = []
            for mode in MODES:
                r = next((r for r in summary["matrix"] if r["mode"] == mode and
                          r["io"] == "write" and r["bytes"] == size), None)
                vals.append(fmt(med(r["mb_s"]) if r else None, "%g", "NaN"))
            f.write("%d %s\n" % (size >> 20, " ".join(vals)))
    loss_modes = [m for m in MODES if any(r["mode"] == m
                                          for r in summary["loss"])]
    with open(os.path.join(d, "loss.dat"), "w") as f:
        f.write("# loss%% then median MB/s of: %s\n" % " ".join(loss_modes))
        for pct in sorted({r["loss_pct"] for r in summary["loss"]}):
            vals = []
            for mode in loss_modes:
                r = next((r for r in summary["loss"] if r["mode"] == mode and
                          r["loss_pct"] == pct), None)
                vals.append(fmt(med(r["mb_s"]) if r else None, "%g", "NaN"))
            f.write("%g %s\n" % (pct, " ".join(vals)))
    with open(os.path.join(d, "install.dat"), "w") as f:
        f.write("# path TX(med min max) us, RX(med min max) us\n")
        for r in summary["install"]:
            f.write("\"%s\" %s %s\n" % (PATH_LABEL[r["path"]],
                                        cell(r.get("tx_median_us")),
                                        cell(r.get("rx_median_us"))))
    with open(os.path.join(d, "meta.gp"), "w") as f:
        f.write("sizes = \"%s\"\n" % " ".join(str(s >> 20) for s in sizes))
        f.write("loss_modes = \"%s\"\n" % " ".join(loss_modes))
        f.write("modes = \"%s\"\n" % " ".join(MODES))
        f.write("have_install = %d\n" % (1 if summary["install"] else 0))


def main():
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0 if len(sys.argv) == 2 else 2)
    out = sys.argv[1]
    lims = load(out, "limits")
    lim = lims[0] if lims else {}
    hz = lim.get("user_hz") or 100
    aes = lim.get("openssl_aes_128_gcm_Bps")
    sha = lim.get("openssl_sha256_Bps")
    meta = {}
    mpath = os.path.join(out, "meta.json")
    if os.path.exists(mpath):
        with open(mpath) as f:
            meta = json.load(f)
    drivers = dict(lim.get("kernel_crypto_drivers") or
                   {"gcm(aes)": lim.get("kernel_gcm_aes_driver")})
    for d in load(out, "drivers"):
        drivers.update({k: v for k, v in d.items() if v})
    summary = {
        "crypto_drivers": drivers,
        "profile": meta.get("profile", "?"),
        "date": meta.get("date"),
        "meta": meta,
        "limits": lim,
        "crypto_limit_mb_s": aes / 1e6 if aes else None,
        "sha256_mb_s": sha / 1e6 if sha else None,
        "matrix": summarise_matrix(load(out, "matrix"), hz,
                                   aes / 1e6 if aes else None),
        "loss": summarise_loss(load(out, "loss"), hz),
        "install": summarise_install(load(out, "install")),
        "conc": summarise_conc(load(out, "conc")),
        "parallel": summarise_parallel(load(out, "parallel")),
        "sections_s": {t["section"]: t["seconds"]
                       for t in load(out, "timing")},
    }
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(summary, f, indent=1, sort_keys=True)
        f.write("\n")
    text = table(summary)
    with open(os.path.join(out, "table.txt"), "w") as f:
        f.write(text)
    write_dat(out, summary)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
