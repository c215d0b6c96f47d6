import pytest

from registry.transfers.wording import postal_address


@pytest.mark.parametrize(
    ("address", "country", "language", "expected"),
    [
        ("106 boulevard Haussmann, 75008 Paris, France", "FR", "en", "106 boulevard Haussmann, 75008 Paris, France"),
        ("106 boulevard Haussmann, 75008 Paris, France", "FR", "ro", "106 boulevard Haussmann, 75008 Paris, France"),
        ("Bd. Unirii 45, București, România.", "RO", "en", "Bd. Unirii 45, București, România."),
        ("38 Avenue John F. Kennedy, L-1855", "LU", "ro", "38 Avenue John F. Kennedy, L-1855, Luxemburg"),
        ("", "DE", "en", "Germany"),
    ],
)
def test_the_country_is_named_once(address, country, language, expected):
    assert postal_address(address, country, language) == expected
