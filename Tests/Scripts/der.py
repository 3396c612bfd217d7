"""The few DER encoders the test scripts assemble X.509 and PKCS structures with (definite
lengths, minimal encodings), so that what they build does not come from the code under test."""


def tlv(tag, content):
    length = len(content)
    if length < 0x80:
        header = bytes([length])
    else:
        octets = length.to_bytes((length.bit_length() + 7) // 8, "big")
        header = bytes([0x80 | len(octets)]) + octets
    return bytes([tag]) + header + content


def seq(*parts):
    return tlv(0x30, b"".join(parts))


def oid(text):
    numbers = [int(n) for n in text.split(".")]
    body = bytes([numbers[0] * 40 + numbers[1]])
    for number in numbers[2:]:
        chunk = [number & 0x7F]
        number >>= 7
        while number:
            chunk.append(0x80 | (number & 0x7F))
            number >>= 7
        body += bytes(reversed(chunk))
    return tlv(0x06, body)


def integer(value):
    raw = value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big")
    return tlv(0x02, raw)


def octets(data):
    return tlv(0x04, data)


def explicit(number, content):
    """A context-specific constructed tag: [number] EXPLICIT (or IMPLICIT of a constructed type)."""
    return tlv(0xA0 | number, content)
