using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OpenDesign.Workflows.Cli.Http;

/// <summary>
/// The one HTTP client of an od process. Every request carries the same credential (see <see cref="Credentials"/>),
/// is sent exactly once (no retries, no redirects, no alternative routes: the service decides), and every
/// transport failure becomes exit code 3.
/// </summary>
internal sealed class ServiceClient : IDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(100);
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly HttpClient http;
    private readonly string root;

    public ServiceClient(Uri baseUrl, Credentials credentials)
    {
        BaseUrl = baseUrl;
        root = baseUrl.AbsoluteUri.TrimEnd('/');

        var handler = new SocketsHttpHandler
        {
            // The service is normally on loopback: a proxy from the environment would only get in the way,
            // and would see the bearer token.
            UseProxy = false,
            // A redirect is a different route; following it would break the never-fall-back rule.
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = ConnectTimeout,
        };

        // Timeouts are applied per call, because the event stream must be allowed to stay open for hours.
        http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        if (credentials.BearerToken is { } token)
        {
            // A token that cannot travel in a header cannot be sent at all; sending nothing instead would be a fallback.
            if (token.Any(char.IsControl))
            {
                http.Dispose();
                throw CliException.Usage($"{credentials.Source} contains control characters (a line break?) and cannot be sent; no request was made");
            }

            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public Uri BaseUrl { get; }

    public static HttpContent JsonBody<T>(T value, JsonTypeInfo<T> type) =>
        JsonBody(JsonSerializer.SerializeToUtf8Bytes(value, type));

    public static HttpContent JsonBody(byte[] utf8Json) => new ByteArrayContent(utf8Json) { Headers = { ContentType = Json } };

    public Task<ServiceResult<T>> GetAsync<T>(string pathAndQuery, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, pathAndQuery, content: null, type, cancellationToken);

    public Task<ServiceResult<T>> PostAsync<T>(string pathAndQuery, HttpContent? content, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, pathAndQuery, content, type, cancellationToken);

    /// <summary>Sends one request and reads the whole answer; a non-2xx answer throws the matching <see cref="CliException"/>.</summary>
    /// <param name="serverErrorExitCode">The exit code for a 5xx answer: 4 for most commands, 5 for <c>media generate</c>.</param>
    public async Task<ServiceResult<T>> SendAsync<T>(
        HttpMethod method,
        string pathAndQuery,
        HttpContent? content,
        JsonTypeInfo<T> type,
        CancellationToken cancellationToken,
        Action<HttpRequestHeaders>? headers = null,
        int serverErrorExitCode = ExitCodes.Refused)
    {
        using var request = new HttpRequestMessage(method, Url(pathAndQuery)) { Content = content };
        headers?.Invoke(request.Headers);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AnswerTimeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw ServiceFailures.FromAnswer(response, body, serverErrorExitCode);
            }

            return new ServiceResult<T>(ServiceFailures.Parse(body, type, (int)response.StatusCode), body);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw ServiceFailures.TimedOut(BaseUrl, AnswerTimeout);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw ServiceFailures.Unreachable(BaseUrl, e);
        }
    }

    /// <summary>
    /// Opens a long-lived response (server-sent events) and hands back the open response once its headers
    /// arrive; only the wait for the headers is timed. A non-2xx answer is read and thrown like any other.
    /// </summary>
    public async Task<HttpResponseMessage> OpenStreamAsync(string pathAndQuery, Action<HttpRequestHeaders>? headers, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(pathAndQuery));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        headers?.Invoke(request.Headers);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AnswerTimeout);
        HttpResponseMessage? response = null;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                var open = response;
                response = null;
                return open;
            }

            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            throw ServiceFailures.FromAnswer(response, body, ExitCodes.Refused);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw ServiceFailures.TimedOut(BaseUrl, AnswerTimeout);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw ServiceFailures.Unreachable(BaseUrl, e);
        }
        finally
        {
            response?.Dispose();
        }
    }

    public void Dispose() => http.Dispose();

    private Uri Url(string pathAndQuery) => new(root + pathAndQuery, UriKind.Absolute);
}
