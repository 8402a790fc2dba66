"""The analyst's dashboard and API (DESIGN §11): server-rendered, every asset local."""
