"""Limited drops: a brand releases a few units at a set time to the communities that opted in."""
