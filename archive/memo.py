"""Values computed once per index generation (statistics, cycle lists, keywords),
kept by an instance for the requests of its process."""

import threading


class GenerationMemo:
    """{key: (generation stamp, value)}: a value is recomputed when the index
    generation (a rebuild, an import) changed since it was computed."""

    def __init__(self):
        self._values = {}
        self._lock = threading.Lock()
        self._refreshing = set()

    def get(self, key, stamp, compute):
        """The value of key for generation `stamp`, computed by compute() if needed."""
        with self._lock:
            hit = self._values.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        value = compute()
        self.put(key, stamp, value)
        return value

    def get_stale_ok(self, key, stamp, compute, stamp_of):
        """As get, but while a newer generation's value is computed in a background
        thread (compute() returns (stamp, value) there), the previous one is served."""
        with self._lock:
            hit = self._values.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        if hit is None:
            value = compute()
            self.put(key, stamp_of(), value)
            return value
        with self._lock:
            if key in self._refreshing:
                return hit[1]
            self._refreshing.add(key)

        def run():
            try:
                self.put(key, stamp_of(), compute())
            finally:
                with self._lock:
                    self._refreshing.discard(key)
        threading.Thread(target=run, name=f"refresh-{key}", daemon=True).start()
        return hit[1]

    def put(self, key, stamp, value):
        """Keep value as key's for generation stamp."""
        with self._lock:
            self._values[key] = (stamp, value)

    def has(self, key):
        """Whether any generation's value of key is kept."""
        with self._lock:
            return key in self._values
