"""The stock ledger moves onto core's ledger primitive.

Points entries already had every column the primitive needs (their models change in Python only).
Stock entries gain a sequence number per product, an idempotency key, a source, a reversal link and
the hash chain; each product becomes its stock chain's head. Existing stock entries are numbered per
product in the order they were written (id order: each was written under its product's row lock),
given keys in the form new entries get (``redemption-line:<line id>`` for a redemption's issue,
``stock:<id>`` for the others) and chained; their quantities and stock-after stay as they were.
"""
import datetime as dt
import hashlib
import json

import django.db.models.deletion
from django.db import migrations, models

GENESIS = "0" * 64


def _payload(values) -> str:
    # The primitive's canonical payload as of this migration (``jiceng.core.ledger``), written out
    # here so that this migration keeps producing what it produced when it was written.
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def _chain_hash(prev: str, seq: int, payload: str) -> str:
    return hashlib.sha256(f"{prev}|{seq}|{payload}".encode()).hexdigest()


def _moment(value) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def chain_existing_stock(apps, schema_editor):
    StockEntry = apps.get_model("points", "StockEntry")
    Product = apps.get_model("points", "Product")
    RedemptionLine = apps.get_model("points", "RedemptionLine")
    db = schema_editor.connection.alias
    redemption_of = dict(RedemptionLine.objects.using(db).filter(stock_entry__isnull=False)
                         .values_list("pk", "redemption_id"))
    heads: dict[int, tuple[int, str]] = {}
    batch = []
    fields = ["seq", "idempotency_key", "source_type", "source_id", "prev_hash", "entry_hash"]
    for e in StockEntry.objects.using(db).order_by("product_id", "id").iterator(chunk_size=2000):
        seq, prev = heads.get(e.product_id, (0, GENESIS))
        e.seq = seq + 1
        if e.redemption_line_id is not None:
            e.idempotency_key = f"redemption-line:{e.redemption_line_id}"
            e.source_type = "points.redemption"
            e.source_id = str(redemption_of[e.redemption_line_id])
        else:
            e.idempotency_key = f"stock:{e.pk}"
            e.source_type = ""
            e.source_id = ""
        e.prev_hash = prev
        e.entry_hash = _chain_hash(prev, e.seq, _payload([
            e.product_id, e.kind, e.quantity, e.stock_after, e.idempotency_key, e.source_type, e.source_id, None,
            e.redemption_line_id, e.note, _moment(e.created_at)]))
        heads[e.product_id] = (e.seq, e.entry_hash)
        batch.append(e)
        if len(batch) >= 2000:
            StockEntry.objects.using(db).bulk_update(batch, fields)
            batch = []
    if batch:
        StockEntry.objects.using(db).bulk_update(batch, fields)
    for product_id, (seq, digest) in heads.items():
        Product.objects.using(db).filter(pk=product_id).update(chain_seq=seq, chain_hash=digest)


class Migration(migrations.Migration):

    dependencies = [
        ("points", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="chain_seq",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="product",
            name="chain_hash",
            field=models.CharField(default=GENESIS, max_length=64),
        ),
        migrations.AddField(
            model_name="stockentry",
            name="seq",
            field=models.BigIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="stockentry",
            name="idempotency_key",
            field=models.CharField(default="", max_length=100),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="stockentry",
            name="source_type",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="stockentry",
            name="source_id",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="stockentry",
            name="reverses",
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                       related_name="reversed_by", to="points.stockentry"),
        ),
        migrations.AddField(
            model_name="stockentry",
            name="prev_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="stockentry",
            name="entry_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="stockentry",
            name="kind",
            field=models.CharField(choices=[("receipt", "入库"), ("redemption", "兑换出库"), ("adjustment", "调整"),
                                            ("stocktake", "盘点"), ("reversal", "冲正")],
                                   max_length=20, verbose_name="类型"),
        ),
        migrations.RunPython(chain_existing_stock, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="stockentry",
            constraint=models.UniqueConstraint(fields=("product", "seq"), name="stock_seq_unique"),
        ),
        migrations.AddConstraint(
            model_name="stockentry",
            constraint=models.UniqueConstraint(fields=("product", "idempotency_key"), name="stock_idempotency_unique"),
        ),
    ]
