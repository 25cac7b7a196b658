from tests.results.sample import isolated_media_and_cache, sample  # noqa: F401 (fixtures)
