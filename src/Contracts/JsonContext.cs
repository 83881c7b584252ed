using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenDesign.Workflows.Contracts;

/// <summary>Source-generated JSON for every wire type, so the service and the AOT-published CLI share one shape without reflection.</summary>
// Strict as Open Design is: member names match exactly and numbers are JSON numbers (the Web defaults would accept
// "Surface" for surface and "5" for 5).
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = false, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(MediaExecutionPolicy))]
[JsonSerializable(typeof(CreateProjectRequest))]
[JsonSerializable(typeof(Project))]
[JsonSerializable(typeof(CreateRunRequest))]
[JsonSerializable(typeof(RunCreated))]
[JsonSerializable(typeof(Run))]
[JsonSerializable(typeof(RunList))]
[JsonSerializable(typeof(FinishRunRequest))]
[JsonSerializable(typeof(RunEndPayload))]
[JsonSerializable(typeof(AgentList))]
[JsonSerializable(typeof(RunAgent))]
[JsonSerializable(typeof(AgentStartPayload))]
[JsonSerializable(typeof(AgentOutputPayload))]
[JsonSerializable(typeof(AgentOutputDropped))]
[JsonSerializable(typeof(StreamResume))]
[JsonSerializable(typeof(MediaGenerateRequest))]
[JsonSerializable(typeof(MediaRequest))]
[JsonSerializable(typeof(MediaRequestList))]
[JsonSerializable(typeof(MediaRequestEvent))]
[JsonSerializable(typeof(FailMediaRequestRequest))]
[JsonSerializable(typeof(FulfillFromFileRequest))]
[JsonSerializable(typeof(Problem))]
[JsonSerializable(typeof(ExecutorSubmitRequest))]
[JsonSerializable(typeof(ExecutorSubmitResponse))]
[JsonSerializable(typeof(ExecutorStatusResponse))]
[JsonSerializable(typeof(ExecutorCancelRequest))]
[JsonSerializable(typeof(MediaRequestProgress))]
[JsonSerializable(typeof(MediaCatalogResponse))]
[JsonSerializable(typeof(MediaTask))]
[JsonSerializable(typeof(MediaTaskAccepted))]
[JsonSerializable(typeof(MediaTaskSnapshot))]
[JsonSerializable(typeof(MediaTaskWaitRequest))]
[JsonSerializable(typeof(MediaTaskEvent))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
public sealed partial class OdJsonContext : JsonSerializerContext;
