using Refit;

namespace OpenDesign.Workflows.Activities.Providers.OpenAi;

/// <summary>
/// The OpenAI endpoints the service uses, relative to the configured base URL (default <c>https://api.openai.com/v1</c>,
/// or an OpenAI-compatible gateway). The key is a per-call parameter because it is resolved per call.
/// </summary>
internal interface IOpenAiApi
{
    [Post("/images/generations")]
    Task<IApiResponse<OpenAiImageResponse>> GenerateImageAsync([Authorize] string apiKey, [Body] OpenAiImageRequest request, CancellationToken ct);

    /// <summary>The audio bytes are the body; read as a raw response so they stream rather than buffer.</summary>
    [Post("/audio/speech")]
    Task<HttpResponseMessage> SpeechAsync([Authorize] string apiKey, [Body] OpenAiSpeechRequest request, CancellationToken ct);

    /// <summary>Sora jobs are created with a multipart form, as OpenAI's API reference shows.</summary>
    [Multipart]
    [Post("/videos")]
    Task<IApiResponse<OpenAiVideo>> CreateVideoAsync(
        [Authorize] string apiKey,
        [AliasAs("model")] string model,
        [AliasAs("prompt")] string prompt,
        [AliasAs("size")] string size,
        [AliasAs("seconds")] string seconds,
        CancellationToken ct);

    [Get("/videos/{id}")]
    Task<IApiResponse<OpenAiVideo>> GetVideoAsync([Authorize] string apiKey, string id, CancellationToken ct);

    [Get("/videos/{id}/content")]
    Task<HttpResponseMessage> VideoContentAsync([Authorize] string apiKey, string id, CancellationToken ct);

    /// <summary>OpenAI's videos API has no cancel; deleting the job is the way to stop and discard it.</summary>
    [Delete("/videos/{id}")]
    Task<IApiResponse> DeleteVideoAsync([Authorize] string apiKey, string id, CancellationToken ct);
}

internal sealed record OpenAiImageRequest(string Model, string Prompt, int N, string Size);

internal sealed record OpenAiImageResponse(IReadOnlyList<OpenAiImageData>? Data);

internal sealed record OpenAiImageData(string? B64Json = null, string? Url = null);

internal sealed record OpenAiSpeechRequest(string Model, string Input, string Voice, string ResponseFormat, string? Instructions = null);

/// <summary>A Sora job: status <c>queued</c>, <c>in_progress</c>, <c>completed</c> or <c>failed</c>; progress 0-100.</summary>
internal sealed record OpenAiVideo(string Id, string? Status = null, double? Progress = null, OpenAiVideoError? Error = null);

internal sealed record OpenAiVideoError(string? Code = null, string? Message = null);
