"""The shop: products and the catalog, orders, checkout and the payments every kind of sale goes through."""
