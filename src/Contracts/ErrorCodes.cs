namespace OpenDesign.Workflows.Contracts;

/// <summary>Stable problem codes. Open Design's own codes are reused where it has one.</summary>
public static class ErrorCodes
{
    public const string BadRequest = "BAD_REQUEST";
    public const string NotFound = "NOT_FOUND";
    public const string MethodNotAllowed = "METHOD_NOT_ALLOWED";
    public const string PayloadTooLarge = "PAYLOAD_TOO_LARGE";
    public const string UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
    /// <summary>Something failed inside the service; the answer never says what.</summary>
    public const string InternalError = "INTERNAL_ERROR";
    /// <summary>A status the service has no more specific code for.</summary>
    public const string Error = "ERROR";
    public const string ApiTokenRequired = "API_TOKEN_REQUIRED";
    public const string ApiTokenInvalid = "API_TOKEN_INVALID";

    public const string ToolTokenMissing = "TOOL_TOKEN_MISSING";
    public const string ToolTokenInvalid = "TOOL_TOKEN_INVALID";
    public const string ToolTokenExpired = "TOOL_TOKEN_EXPIRED";
    public const string ToolEndpointDenied = "TOOL_ENDPOINT_DENIED";
    public const string ToolOperationDenied = "TOOL_OPERATION_DENIED";
    public const string Forbidden = "FORBIDDEN";

    public const string MediaExecutionDisabled = "MEDIA_EXECUTION_DISABLED";
    public const string MediaSurfaceDenied = "MEDIA_SURFACE_DENIED";
    public const string MediaModelDenied = "MEDIA_MODEL_DENIED";
    public const string MediaProviderUnavailable = "MEDIA_PROVIDER_UNAVAILABLE";
    /// <summary>
    /// The model is not in the catalog for the requested surface (refused at once, unlike Open Design), or an enabled
    /// policy's <c>allowedModels</c> names a model the catalog does not have.
    /// </summary>
    public const string MediaModelUnknown = "MEDIA_MODEL_UNKNOWN";
    /// <summary>The provider refused the job (a 4xx other than 429, a failed job); the message is the provider's.</summary>
    public const string MediaProviderRejected = "MEDIA_PROVIDER_REJECTED";
    /// <summary>The provider kept failing (429/5xx/transport) until the task gave up.</summary>
    public const string MediaProviderFailed = "MEDIA_PROVIDER_FAILED";
    public const string MediaTaskNotFound = "MEDIA_TASK_NOT_FOUND";
    public const string ExternalExecutorUnavailable = "EXTERNAL_EXECUTOR_UNAVAILABLE";

    public const string ProjectNotFound = "PROJECT_NOT_FOUND";
    public const string RunNotFound = "RUN_NOT_FOUND";
    public const string RunTerminal = "RUN_TERMINAL";
    /// <summary>A run asked to launch an agent id that is not configured; <c>details.configured</c> lists the ids that are.</summary>
    public const string AgentUnknown = "AGENT_UNKNOWN";
    public const string MediaRequestNotFound = "MEDIA_REQUEST_NOT_FOUND";
    public const string MediaRequestTerminal = "MEDIA_REQUEST_TERMINAL";
    public const string MediaKindMismatch = "MEDIA_KIND_MISMATCH";
    public const string PathNotAllowed = "PATH_NOT_ALLOWED";
    public const string FileNotFound = "FILE_NOT_FOUND";
    public const string OutputNameExhausted = "OUTPUT_NAME_EXHAUSTED";

    public const string TemporalUnavailable = "TEMPORAL_UNAVAILABLE";
    public const string CallbackTokenInvalid = "CALLBACK_TOKEN_INVALID";
    public const string CallbackTokenDenied = "CALLBACK_TOKEN_DENIED";
    public const string ExecutorRejected = "EXECUTOR_REJECTED";
    public const string ExecutorTimeout = "EXECUTOR_TIMEOUT";
    public const string ExecutorCancelFailed = "EXECUTOR_CANCEL_FAILED";
    public const string DownloadFailed = "DOWNLOAD_FAILED";

    public const string OriginNotAllowed = "ORIGIN_NOT_ALLOWED";
    public const string HostNotAllowed = "HOST_NOT_ALLOWED";
    public const string NotARegularFile = "NOT_A_REGULAR_FILE";

    /// <summary>The error code of a request that its run's end cancelled (not a problem code: generate racing the end is <see cref="RunTerminal"/>).</summary>
    public const string RunEnded = "RUN_ENDED";

    /// <summary>The error code of an external request its workflow cancelled.</summary>
    public const string Cancelled = "CANCELLED";
}
