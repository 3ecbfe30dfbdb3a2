"""The editors' web page (`reportgen serve`): a Flask app served by waitress; see `app.create_app`."""
