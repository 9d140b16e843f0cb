"""Bytes of a notice file -> clean text, whatever the encoding."""

import codecs
import re

from charset_normalizer import from_bytes

from .errors import ParseError

# Chinese government sites serve GB2312/GBK/GB18030; GB18030 is their superset.
_FALLBACKS = ("utf-8", "gb18030", "big5")


def decode_bytes(data, filename=None):
    """Decode a notice file; raise ParseError for empty or binary input."""
    if not data or not data.strip():
        raise ParseError("文件是空的", filename=filename)
    if data.startswith(codecs.BOM_UTF8):
        return _normalise_newlines(data[len(codecs.BOM_UTF8):].decode("utf-8", "strict"), filename)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _normalise_newlines(data.decode("utf-16"), filename)
    bom_less = _utf16_without_bom(data)
    if bom_less:
        return _normalise_newlines(data.decode(bom_less, "strict"), filename)
    if b"\x00" in data:
        raise ParseError("这是二进制文件（含 NUL 字节），应为文本、HTML、CSV 或 JSON 格式的通知",
                         filename=filename)
    for encoding in _FALLBACKS:
        try:
            return _normalise_newlines(data.decode(encoding), filename)
        except UnicodeDecodeError:
            continue
    best = from_bytes(data).best()
    if best is None:
        raise ParseError("无法识别文字编码（不是 UTF-8 或 GB18030）", filename=filename)
    return _normalise_newlines(str(best), filename)


def _utf16_without_bom(data):
    """utf-16-le or -be for UTF-16 text saved without its byte-order mark, told by its
    line breaks (a NUL byte beside each, on the side of its byte order), else None."""
    if len(data) < 4 or len(data) % 2:
        return None
    if b"\x00" not in data:
        return None
    little = sum(1 for m in re.finditer(b"\n\x00", data) if m.start() % 2 == 0)
    big = sum(1 for m in re.finditer(b"\x00\n", data) if m.start() % 2 == 0)
    if not little and not big:
        return None
    encoding = "utf-16-le" if little > big else "utf-16-be"
    try:
        data.decode(encoding, "strict")
    except UnicodeDecodeError:
        return None
    return encoding


def _normalise_newlines(text, filename):
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\t\f\v")
    if controls > max(8, len(text) // 100):
        raise ParseError("这是二进制文件（含控制字符），应为文本格式的通知", filename=filename)
    return text
