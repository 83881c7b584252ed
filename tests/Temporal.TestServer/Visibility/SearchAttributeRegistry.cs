using System.Collections.Concurrent;
using System.Text.Json;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;

namespace OpenDesign.Workflows.Temporal.TestServer.Visibility;

// Which search attributes exist and what type each one has. A real server rejects a start or an
// upsert that names an unregistered attribute, and a list query on one; the test server does the
// same so a test that forgot to register an attribute fails here rather than only against a real
// cluster.
internal sealed class SearchAttributeRegistry
{
    // The attributes the product's external media mode indexes. Always registered so the
    // in-process server needs no set-up; a real server needs them added (see docs/testing.md).
    public static readonly IReadOnlyDictionary<string, IndexedValueType> ProductDefaults = new Dictionary<string, IndexedValueType>
    {
        ["OdRunId"] = IndexedValueType.Keyword,
        ["OdProjectId"] = IndexedValueType.Keyword,
        ["OdSurface"] = IndexedValueType.Keyword,
        ["OdMediaRequestStatus"] = IndexedValueType.Keyword,
    };

    public static readonly IReadOnlyDictionary<string, IndexedValueType> SystemAttributes = new Dictionary<string, IndexedValueType>
    {
        ["WorkflowId"] = IndexedValueType.Keyword,
        ["RunId"] = IndexedValueType.Keyword,
        ["WorkflowType"] = IndexedValueType.Keyword,
        ["ExecutionStatus"] = IndexedValueType.Keyword,
        ["TaskQueue"] = IndexedValueType.Keyword,
        ["StartTime"] = IndexedValueType.Datetime,
        ["CloseTime"] = IndexedValueType.Datetime,
        ["ExecutionTime"] = IndexedValueType.Datetime,
        ["HistoryLength"] = IndexedValueType.Int,
        ["ExecutionDuration"] = IndexedValueType.Int,
        ["TemporalChangeVersion"] = IndexedValueType.KeywordList,
        ["BinaryChecksums"] = IndexedValueType.KeywordList,
        ["BuildIds"] = IndexedValueType.KeywordList,
        ["BatcherNamespace"] = IndexedValueType.Keyword,
        ["BatcherUser"] = IndexedValueType.Keyword,
        ["TemporalScheduledStartTime"] = IndexedValueType.Datetime,
        ["TemporalScheduledById"] = IndexedValueType.Keyword,
        ["TemporalSchedulePaused"] = IndexedValueType.Bool,
        ["TemporalNamespaceDivision"] = IndexedValueType.Keyword,
    };

    // The built-in attributes a real server lets SDKs and its own system workflows write (the rest of
    // SystemAttributes is read-only). The SDK upserts TemporalChangeVersion for every Workflow.Patched
    // call, so refusing it would leave a patched workflow failing its task forever.
    private static readonly HashSet<string> WritableSystemAttributes = new(StringComparer.Ordinal)
    {
        "TemporalChangeVersion", "BinaryChecksums", "BuildIds", "BatcherNamespace", "BatcherUser",
        "TemporalScheduledStartTime", "TemporalScheduledById", "TemporalSchedulePaused", "TemporalNamespaceDivision",
    };

    private readonly ConcurrentDictionary<string, IndexedValueType> _custom = new(StringComparer.Ordinal);

    public SearchAttributeRegistry(IEnumerable<KeyValuePair<string, IndexedValueType>> custom)
    {
        foreach (var (name, type) in ProductDefaults.Concat(custom))
        {
            _custom[name] = type;
        }
    }

    public IReadOnlyDictionary<string, IndexedValueType> Custom => _custom;

    public void Add(string name, IndexedValueType type) => _custom[name] = type;

    public bool TryGetType(string name, out IndexedValueType type) =>
        SystemAttributes.TryGetValue(name, out type) || _custom.TryGetValue(name, out type);

    // Returns an error message, or null when every attribute is registered custom or a writable
    // built-in one (the other system attributes cannot be set by a workflow or a client).
    public string? Validate(SearchAttributes? attributes)
    {
        if (attributes is null)
        {
            return null;
        }
        foreach (var name in attributes.IndexedFields.Keys)
        {
            if (!_custom.ContainsKey(name) && !WritableSystemAttributes.Contains(name))
            {
                return $"search attribute {name} is not defined";
            }
        }
        return null;
    }

    public static IndexedValueType ParseType(string text) => text.Trim().ToUpperInvariant() switch
    {
        "TEXT" => IndexedValueType.Text,
        "KEYWORD" => IndexedValueType.Keyword,
        "INT" => IndexedValueType.Int,
        "DOUBLE" => IndexedValueType.Double,
        "BOOL" => IndexedValueType.Bool,
        "DATETIME" => IndexedValueType.Datetime,
        "KEYWORDLIST" or "KEYWORD_LIST" => IndexedValueType.KeywordList,
        _ => throw new ArgumentException($"unknown search attribute type '{text}'"),
    };

    // Search attribute payloads are JSON (json/plain) whatever the SDK's data converter; this reads
    // them into plain values for the query evaluator: string, long, double, bool, DateTime or string[].
    public static object? Decode(Payload payload, IndexedValueType type)
    {
        if (payload.Data.IsEmpty)
        {
            return null;
        }
        using var json = JsonDocument.Parse(payload.Data.Memory);
        var root = json.RootElement;
        if (root.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (root.ValueKind == JsonValueKind.Array)
        {
            return root.EnumerateArray().Select(e => e.ToString()).ToArray();
        }
        return type switch
        {
            IndexedValueType.Int => root.GetInt64(),
            IndexedValueType.Double => root.GetDouble(),
            IndexedValueType.Bool => root.GetBoolean(),
            IndexedValueType.Datetime => root.GetDateTimeOffset().UtcDateTime,
            IndexedValueType.KeywordList => new[] { root.ToString() },
            _ => root.ToString(),
        };
    }
}
