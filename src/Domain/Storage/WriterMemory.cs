namespace OpenDesign.Workflows.Domain.Storage;

/// <summary>
/// What the writer thread remembers between batches instead of reading it again: each run's last event sequence and
/// each run's status. Only the writer changes either, so memory is exact as long as every rolled-back change is
/// forgotten with it: the writer clears everything whenever a unit, a batch or a commit fails.
/// </summary>
internal sealed class WriterMemory
{
    // A crude bound, as for the read caches: forgetting is always correct, it only costs a read.
    private const int Capacity = 10_000;

    private readonly Dictionary<string, long> _eventSeq = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _runStatus = new(StringComparer.Ordinal);

    public bool TryGetEventSeq(string runId, out long last) => _eventSeq.TryGetValue(runId, out last);

    public void SetEventSeq(string runId, long last) => Set(_eventSeq, runId, last);

    public string? RunStatus(string runId) => _runStatus.GetValueOrDefault(runId);

    public void SetRunStatus(string runId, string status) => Set(_runStatus, runId, status);

    public void Clear()
    {
        _eventSeq.Clear();
        _runStatus.Clear();
    }

    private static void Set<T>(Dictionary<string, T> map, string key, T value)
    {
        if (map.Count >= Capacity && !map.ContainsKey(key)) map.Clear();
        map[key] = value;
    }
}
