"""The sandbox: the real bot against a local Bot API server, with a web chat (`circlecart sandbox`).

`circlecart.sandbox.bot_api` is that server, the same one the test suite runs the bot against. This
package imports nothing heavy on purpose: a test that only needs the fake server imports just that.
"""
