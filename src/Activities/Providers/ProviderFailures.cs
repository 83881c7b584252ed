using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Refit;

namespace OpenDesign.Workflows.Activities.Providers;

/// <summary>
/// Turns a provider's HTTP answer into a <see cref="ProviderException"/> of the right kind. Messages are built here
/// from the status and the provider's own error text only: never from Refit's exception (whose request carries the
/// Authorization header), and with the key scrubbed should a provider echo it back.
/// </summary>
internal static class ProviderFailures
{
    private const int MaxMessageLength = 500;
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(10);

    /// <summary>The failure for a non-success answer, with the provider's explanation from its JSON error body.</summary>
    public static ProviderException FromStatus(string providerId, HttpStatusCode code, HttpResponseHeaders? headers, string? body, string? apiKey, TimeProvider clock)
    {
        var status = (int)code;
        var detail = Scrub(ErrorText(body), apiKey);
        if (code == HttpStatusCode.TooManyRequests)
        {
            return new ProviderException(ProviderFailureKind.RateLimited, providerId,
                $"{providerId} is rate limiting requests (429){Suffix(detail)}", status, RetryAfter(headers, clock));
        }
        if (status >= 500 || code == HttpStatusCode.RequestTimeout)
        {
            return new ProviderException(ProviderFailureKind.Transient, providerId, $"{providerId} answered {status}{Suffix(detail)}", status);
        }
        return new ProviderException(ProviderFailureKind.Rejected, providerId,
            $"{providerId} refused the request ({status}){Suffix(detail)}", status);
    }

    /// <summary>The failure for a Refit answer that is not a usable success.</summary>
    public static ProviderException From(string providerId, IApiResponse response, string? apiKey, TimeProvider clock)
    {
        if (response.IsSuccessStatusCode)
        {
            // A 2xx whose body could not be read (an HTML page from a gateway): asking again would be billed again.
            return new ProviderException(ProviderFailureKind.Rejected, providerId,
                $"{providerId} answered {(int?)response.StatusCode} with a body that is not the expected JSON", (int?)response.StatusCode);
        }
        if (response.StatusCode is not { } code)
        {
            return new ProviderException(ProviderFailureKind.Transient, providerId, $"{providerId} could not be reached");
        }
        return FromStatus(providerId, code, response.Headers, (response.Error as ApiException)?.Content, apiKey, clock);
    }

    /// <summary>A timeout or broken connection: retried. The exception's own message is not kept (it may name the request).</summary>
    public static ProviderException Unreachable(string providerId, Exception e) =>
        new(ProviderFailureKind.Transient, providerId,
            e is TaskCanceledException or TimeoutException
                ? $"{providerId} did not answer in time"
                : $"{providerId} could not be reached ({(e as HttpRequestException)?.HttpRequestError.ToString() ?? e.GetType().Name})");

    /// <summary>Whether an exception from sending is the network's fault rather than the caller's cancellation.</summary>
    public static bool IsUnreachable(Exception e, CancellationToken ct) =>
        e is HttpRequestException || (e is TaskCanceledException or TimeoutException && !ct.IsCancellationRequested);

    public static string Scrub(string text, string? apiKey) =>
        string.IsNullOrEmpty(apiKey) ? text : text.Replace(apiKey, "[redacted]", StringComparison.Ordinal);

    private static string Suffix(string detail) => detail.Length == 0 ? "" : ": " + detail;

    /// <summary>
    /// The provider's explanation: OpenAI's <c>error.message</c>, a string <c>error</c>, Replicate's problem
    /// <c>detail</c>, or a <c>message</c>/<c>title</c>; plain text when the body is not JSON.
    /// </summary>
    internal static string ErrorText(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return "";
        var text = body.Trim();
        try
        {
            using var doc = JsonDocument.Parse(text);
            text = FromJson(doc.RootElement) ?? text;
        }
        catch (JsonException)
        {
            // Not JSON: the text itself is the explanation.
        }
        return text.Length > MaxMessageLength ? text[..MaxMessageLength] : text;
    }

    private static string? FromJson(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) return null;
        if (root.TryGetProperty("error", out var error))
        {
            if (error.ValueKind == JsonValueKind.String) return error.GetString();
            if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String) return m.GetString();
        }
        foreach (var name in new[] { "detail", "message", "title" })
        {
            if (root.TryGetProperty(name, out var el) && el.ValueKind == JsonValueKind.String) return el.GetString();
        }
        return null;
    }

    /// <summary>Retry-After as seconds or an HTTP date, clamped to [0, 10 min].</summary>
    internal static TimeSpan? RetryAfter(HttpResponseHeaders? headers, TimeProvider clock)
    {
        var retryAfter = headers?.RetryAfter;
        TimeSpan? delay = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - clock.GetUtcNow() : null);
        if (delay is not { } d) return null;
        return d < TimeSpan.Zero ? TimeSpan.Zero : d > MaxRetryAfter ? MaxRetryAfter : d;
    }
}
