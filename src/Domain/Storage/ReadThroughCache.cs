using System.Collections.Concurrent;

namespace OpenDesign.Workflows.Domain.Storage;

/// <summary>
/// Rows that are read on every tool call and change rarely (tool tokens, runs), kept in memory. The single writer owns
/// every change: it calls <see cref="Changing"/> inside the transaction and <see cref="Remove"/> once it is durable. A
/// load that overlapped a change is returned but not kept (the version moved), so a stale row is never cached after
/// its change was answered. Only this process writes these rows, which is what makes that enough.
/// </summary>
internal sealed class ReadThroughCache<TValue>(int capacity = 100_000) where TValue : class
{
    private readonly ConcurrentDictionary<string, TValue> _entries = new(StringComparer.Ordinal);
    private long _version;

    public TValue? Get(string key, Func<string, TValue?> load)
    {
        if (_entries.TryGetValue(key, out var cached)) return cached;
        var before = Volatile.Read(ref _version);
        var loaded = load(key);
        if (loaded is not null && Volatile.Read(ref _version) == before)
        {
            // A crude bound: dropping everything is correct (it is only a cache) and keeps memory flat.
            if (_entries.Count >= capacity) _entries.Clear();
            _entries.TryAdd(key, loaded);
        }
        return loaded;
    }

    /// <summary>Marks that a change is under way, so no load that overlaps it is kept.</summary>
    public void Changing() => Interlocked.Increment(ref _version);

    /// <summary>Forgets an entry after its change is durable.</summary>
    public void Remove(string key)
    {
        Interlocked.Increment(ref _version);
        _entries.TryRemove(key, out _);
    }

    public void RemoveWhere(Func<TValue, bool> match)
    {
        Interlocked.Increment(ref _version);
        foreach (var (key, value) in _entries)
        {
            if (match(value)) _entries.TryRemove(key, out _);
        }
    }

    /// <summary>Replaces an entry that is present (a slid expiry), after the change is durable.</summary>
    public void Refresh(string key, TValue value)
    {
        Interlocked.Increment(ref _version);
        if (_entries.ContainsKey(key)) _entries[key] = value;
    }
}
