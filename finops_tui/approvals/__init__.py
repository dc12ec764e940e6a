"""Approval workflows: items tied to the framework's dollar tiers, decided on the record, savings verified.

``ledger`` opens and decides items (history append-only, in the cache);
``delivery`` posts each new item and decision once to the tier's channel;
``verify`` measures a done item's realised saving. Never imports Textual or Rich.
"""
