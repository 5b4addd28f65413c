"""The shop in chat: browsing and search (also inline), product cards, Buy, /orders and the payment handler."""
