from probes import format_cpu_list, parse_cpu_list


def test_cpu_list_round_trip():
    assert parse_cpu_list("0-3,8,10-11") == (0, 1, 2, 3, 8, 10, 11)
    assert format_cpu_list((0, 1, 2, 3, 8, 10, 11)) == "0-3,8,10-11"
    assert format_cpu_list(parse_cpu_list("5")) == "5"
    assert parse_cpu_list("") == ()
    assert format_cpu_list(()) == ""


def test_malformed_cpu_list_is_none():
    assert parse_cpu_list("0-x") is None
    assert parse_cpu_list(None) is None
