"""Bytes of a notice file -> clean text, whatever the encoding."""

import codecs

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


def _normalise_newlines(text, filename):
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\t\f\v")
    if controls > max(8, len(text) // 100):
        raise ParseError("这是二进制文件（含控制字符），应为文本格式的通知", filename=filename)
    return text
