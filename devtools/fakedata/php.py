"""PHP's serialize() for the small arrays OpenEMR keeps in pc_recurrspec (schema doc §1.14).

Only what the calendar writes: associative arrays of strings and integers, and null. Lengths are counted in
UTF-8 bytes, as PHP counts them.
"""


def php_serialize(value):
    if value is None:
        return "N;"
    if isinstance(value, bool):
        return f"b:{int(value)};"
    if isinstance(value, int):
        return f"i:{value};"
    if isinstance(value, str):
        return f's:{len(value.encode("utf-8"))}:"{value}";'
    if isinstance(value, dict):
        items = "".join(php_serialize(key) + php_serialize(item) for key, item in value.items())
        return f"a:{len(value)}:{{{items}}}"
    raise TypeError(f"cannot serialize {type(value).__name__}")
