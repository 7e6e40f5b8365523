#!/usr/bin/env python3
"""Writes seeds (fuzz/seeds/decode_chunk/) for the decode_chunk fuzz target: one real chunk per codec from the
conformance corpus, prefixed with the 9-byte spec header that decode_chunk.rs parses.
Usage: python3 fuzz/make_seeds.py [CONFORMANCE_DIR]"""
import os, struct, sys

CONF = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "conformance")
OUT = os.path.join(os.path.dirname(__file__), "seeds", "decode_chunk")
COMPRESSIONS = [1, 5, 6, 7, 8, 32773, 32946, 34887, 50000, 50001]
DTYPES = [(1, 8), (2, 8), (1, 16), (2, 16), (1, 32), (2, 32), (3, 32), (3, 64)]
SIDES = {128: 201, 256: 202, 512: 200}

FILES = [
    ("none_i32", "corpus/tokyo_i32_none_t128_3857.tif"),
    ("packbits_u8", "corpus/london_u8_packbits_27700.tif"),
    ("deflate_p2_u16_be", "corpus/singapore_u16_bigendian_3857.tif"),
    ("deflate_p3_f32", "corpus/dem_f32_deflate_p3_3857.tif"),
    ("lzw_p2_i16", "corpus/dem_i16_lzw_p2_32631.tif"),
    ("zstd_p2_u16x4", "corpus/rgbn_u16_zstd_p2_32755.tif"),
    ("zstd_p3_f64", "corpus/amsterdam_f64_zstd_p3_32631.tif"),
    ("jpeg_ycbcr", "external/../corpus/external/cog_rgb.tif"),
    ("webp_lossy_rgba", "corpus/rgba_webp_lossy_3857.tif"),
    ("webp_lossless", "corpus/rgb_webp_lossless_4326.tif"),
    ("lerc_f32", "corpus/grandcanyon_f32_lerc_3857.tif"),
]

def ifds(data):
    """Yields each IFD's tags as {tag: tuple of ints | bytes} (classic and BigTIFF)."""
    e = ">" if data[:2] == b"MM" else "<"
    big = struct.unpack(e + "H", data[2:4])[0] == 43
    u = lambda fmt, at: struct.unpack_from(e + fmt, data, at)[0]
    nxt = u("Q", 8) if big else u("I", 4)
    sizes = {1: "B", 2: "B", 3: "H", 4: "I", 7: "B", 16: "Q", 13: "I", 18: "Q"}
    while nxt:
        n = u("Q", nxt) if big else u("H", nxt)
        head, esz, inline = (8, 20, 8) if big else (2, 12, 4)
        tags = {}
        for i in range(n):
            at = nxt + head + i * esz
            tag, typ = u("H", at), u("H", at + 2)
            cnt = u("Q", at + 4) if big else u("I", at + 4)
            if typ not in sizes:
                continue
            f = sizes[typ]
            sz = struct.calcsize(f) * cnt
            vat = at + (12 if big else 8)
            start = vat if sz <= inline else (u("Q", vat) if big else u("I", vat))
            if typ in (2, 7):
                tags[tag] = data[start:start + cnt]
            else:
                tags[tag] = struct.unpack_from(e + f * cnt, data, start)
        yield {k: (v[0] if isinstance(v, tuple) and len(v) == 1 and k not in (324, 325, 258, 50674) else v) for k, v in tags.items()}
        at = nxt + head + n * esz
        nxt = u("Q", at) if big else u("I", at)

def side(n):
    return SIDES.get(n, n if n <= 64 else None)

def main():
    os.makedirs(OUT, exist_ok=True)
    for name, rel in FILES:
        path = os.path.normpath(os.path.join(CONF, rel))
        data = open(path, "rb").read()
        best = None
        # The smallest chunk over all IFDs whose tile size the header can express.
        for t in ifds(data):
            if 322 not in t or t.get(254, 0) & 4:
                continue
            w, h = side(t[322]), side(t[323])
            if w is None or h is None:
                continue
            for off, cnt in zip(t[324], t[325]):
                if off and cnt and cnt <= 120000 and (best is None or cnt < best[0]):
                    best = (cnt, off, dict(t))
        if best is None:
            print(name, "skipped: no chunk small enough")
            continue
        cnt, off, t = best
        bits = t[258][0]
        fmt = t.get(339, 1)
        fmt = fmt[0] if isinstance(fmt, tuple) else fmt
        spp = t.get(277, 1)
        planar = t.get(284, 1)
        tables = t.get(347, b"")
        lerc = t.get(50674, (4, 0))
        lerc = lerc if len(lerc) > 1 else (4, 0)
        head = bytes([
            COMPRESSIONS.index(t[259]),
            t.get(317, 1),
            DTYPES.index((fmt, bits)) | (0x10 if data[:2] == b"MM" else 0),
            1 if planar == 2 else spp,
            SIDES.get(t[322], t[322]),
            SIDES.get(t[323], t[323]),
            (1 if t.get(262) == 6 else 0) | ((lerc[1] % 4) << 1),
        ]) + struct.pack("<H", len(tables))
        with open(os.path.join(OUT, name + ".bin"), "wb") as f:
            f.write(head + bytes(tables) + data[off:off + cnt])
        print(name, cnt, "bytes")

main()
