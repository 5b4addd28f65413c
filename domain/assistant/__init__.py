"""The shop assistant: shopping in plain words and member service over a chat model, never inventing, never spending.

DESIGN invariant 13: products, prices and stock shown to a member come from the database, never from a model's
text; no tool moves money or changes state; the tools read only the asking member's own data; and everything
works without a model (the fallback answers the same triggers with search and the member's own views).
"""
