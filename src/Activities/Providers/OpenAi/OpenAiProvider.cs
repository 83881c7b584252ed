using System.Globalization;
using Microsoft.Extensions.Logging;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Activities.Providers.OpenAi;

/// <summary>
/// OpenAI: images (<c>/images/generations</c>, answered as <c>b64_json</c> or a <c>url</c>), speech
/// (<c>/audio/speech</c>, mp3) at once; Sora video as a job created, polled and downloaded from
/// <c>/videos/{id}/content</c>. The catalog id is OpenAI's own model id.
/// </summary>
public sealed class OpenAiProvider(MediaCredentials credentials, ProviderClients clients, ProviderDownloads downloads, TimeProvider clock, ILogger<OpenAiProvider> logger)
    : IMediaProvider
{
    private readonly ProviderCalls _calls = new(ProviderId, credentials, clock);

    public const string ProviderId = "openai";
    public const string DefaultVoice = "alloy";

    public string Id => ProviderId;

    public async Task<ProviderStep> StartAsync(ProviderJob job, Stream output, CancellationToken cancellationToken)
    {
        var (credential, key) = _calls.Credential();
        var api = clients.For<IOpenAiApi>(credential);
        logger.LogInformation("Starting openai {Surface} job with {Model} for task {TaskId}", job.Surface, job.Model, job.TaskId);
        return job.Surface switch
        {
            MediaSurfaces.Image => await ImageAsync(api, key, job, output, cancellationToken),
            MediaSurfaces.Audio => await SpeechAsync(api, key, job, output, cancellationToken),
            MediaSurfaces.Video => await VideoStepAsync(api, key, await _calls.JsonAsync(key, () =>
                api.CreateVideoAsync(key, job.Model, job.Prompt, OpenAiSizes.Video(job.Aspect),
                    OpenAiSizes.Seconds(job.Length).ToString(CultureInfo.InvariantCulture), cancellationToken), cancellationToken), output, cancellationToken),
            _ => throw new ProviderException(ProviderFailureKind.Rejected, ProviderId, $"openai has no {job.Surface} models"),
        };
    }

    public async Task<ProviderStep> PollAsync(ProviderJob job, string jobId, Stream output, CancellationToken cancellationToken)
    {
        var (credential, key) = _calls.Credential();
        var api = clients.For<IOpenAiApi>(credential);
        var video = await _calls.JsonAsync(key, () => api.GetVideoAsync(key, jobId, cancellationToken), cancellationToken);
        return await VideoStepAsync(api, key, video, output, cancellationToken);
    }

    public async Task CancelAsync(string jobId, CancellationToken cancellationToken)
    {
        var (credential, key) = _calls.Credential();
        var api = clients.For<IOpenAiApi>(credential);
        // Gone already is what a cancel wants.
        await _calls.NoContentAsync(key, () => api.DeleteVideoAsync(key, jobId, cancellationToken), cancellationToken, System.Net.HttpStatusCode.NotFound);
    }

    private async Task<ProviderStep> ImageAsync(IOpenAiApi api, string key, ProviderJob job, Stream output, CancellationToken ct)
    {
        var request = new OpenAiImageRequest(job.Model, job.Prompt, 1, OpenAiSizes.Image(job.Model, job.Aspect));
        var answer = await _calls.JsonAsync(key, () => api.GenerateImageAsync(key, request, ct), ct);
        var image = answer.Data is [var first, ..] ? first : null;
        if (image?.B64Json is { } b64)
        {
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(b64);
            }
            catch (FormatException)
            {
                throw new ProviderException(ProviderFailureKind.Rejected, ProviderId, "openai answered with an image that is not valid base64");
            }
            await output.WriteAsync(bytes, ct);
            // GPT Image and DALL-E answer PNG unless asked otherwise, and this service does not ask.
            return new ProviderStep.Finished("image/png");
        }
        if (image?.Url is { } url) return new ProviderStep.Finished(await downloads.DownloadAsync(ProviderId, url, output, ct));
        throw new ProviderException(ProviderFailureKind.Rejected, ProviderId, "openai answered without an image");
    }

    private async Task<ProviderStep> SpeechAsync(IOpenAiApi api, string key, ProviderJob job, Stream output, CancellationToken ct)
    {
        if (job.AudioKind is not (null or "speech"))
        {
            throw new ProviderException(ProviderFailureKind.Rejected, ProviderId, $"openai makes speech only, not {job.AudioKind}");
        }
        var request = new OpenAiSpeechRequest(job.Model, job.Prompt, string.IsNullOrWhiteSpace(job.Voice) ? DefaultVoice : job.Voice, "mp3");
        var mime = await _calls.BinaryAsync(key, () => api.SpeechAsync(key, request, ct), output, ct);
        return new ProviderStep.Finished(mime ?? "audio/mpeg");
    }

    private async Task<ProviderStep> VideoStepAsync(IOpenAiApi api, string key, OpenAiVideo video, Stream output, CancellationToken ct)
    {
        switch (video.Status)
        {
            case "completed":
                var mime = await _calls.BinaryAsync(key, () => api.VideoContentAsync(key, video.Id, ct), output, ct);
                return new ProviderStep.Finished(mime ?? "video/mp4");
            case "failed":
                var reason = ProviderFailures.Scrub(video.Error?.Message ?? video.Error?.Code ?? "no reason given", key);
                throw new ProviderException(ProviderFailureKind.Rejected, ProviderId, $"openai video job {video.Id} failed: {reason}");
            case "cancelled" or "canceled":
                throw new ProviderException(ProviderFailureKind.Rejected, ProviderId, $"openai video job {video.Id} was cancelled");
            default:
                return new ProviderStep.Pending(video.Id, video.Status, video.Progress);
        }
    }
}
