"""core.stream_images: DynamoDB's low-level item shape decoded once for streams and cancellations."""

from decimal import Decimal

from mobie_hub.core import stream_images


def test_an_item_in_the_low_level_shape_becomes_python_values():
    # Given an item as a stream or a cancellation reason carries it
    item = {"pk": {"S": "LOC#PT*MOB"}, "revision": {"N": "3"}, "tags": {"L": [{"S": "a"}]}, "gone": {"NULL": True}}

    # When it is decoded
    plain = stream_images.plain(item)

    # Then every attribute is a Python value (numbers as Decimal)
    assert plain == {"pk": "LOC#PT*MOB", "revision": Decimal(3), "tags": ["a"], "gone": None}


def test_no_item_decodes_to_an_empty_dict_and_a_plain_value_is_kept():
    assert stream_images.plain(None) == {}
    assert stream_images.plain({"already": "plain", "n": {"N": "1"}}) == {"already": "plain", "n": Decimal(1)}


def test_a_record_gives_its_old_and_new_images_and_none_for_the_side_it_lacks():
    # Given an INSERT record (no OldImage) and a REMOVE record (no NewImage)
    insert = {"eventName": "INSERT", "dynamodb": {"NewImage": {"pk": {"S": "SESSION#1"}}}}
    remove = {"eventName": "REMOVE", "dynamodb": {"OldImage": {"pk": {"S": "SESSION#1"}}, "NewImage": {}}}

    # Then each side is decoded, or None when missing or empty
    assert stream_images.images(insert) == (None, {"pk": "SESSION#1"})
    assert stream_images.images(remove) == ({"pk": "SESSION#1"}, None)
    assert stream_images.image({}, "NewImage") is None
