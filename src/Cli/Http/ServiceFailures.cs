using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Cli.Http;

/// <summary>Turns what went wrong on the wire into the exit code and the one stderr line agents and people read.</summary>
internal static class ServiceFailures
{
    private const int SnippetLength = 200;

    /// <summary>
    /// A non-2xx answer. Any 4xx is a refusal (exit 4). A 5xx is exit 4 too, except where the caller says
    /// otherwise (<c>media generate</c> maps it to 5, "media failed"), so agents can tell "not allowed" from "could not make it".
    /// </summary>
    public static CliException FromAnswer(HttpResponseMessage response, byte[] body, int serverErrorExitCode)
    {
        var status = (int)response.StatusCode;
        var problem = TryReadProblem(body);
        var (exitCode, kind) = status switch
        {
            >= 500 when serverErrorExitCode == ExitCodes.MediaFailed => (ExitCodes.MediaFailed, "media failed"),
            >= 500 => (ExitCodes.Refused, "service error"),
            >= 300 and < 400 => (ExitCodes.Refused, "unexpected redirect"),
            _ => (ExitCodes.Refused, "refused"),
        };

        var label = string.IsNullOrEmpty(problem?.Code) ? $"{status}" : $"{status} {problem.Code}";
        var text = FirstNonEmpty(
            problem?.Detail,
            problem?.Title,
            status is >= 300 and < 400 ? $"to {response.Headers.Location} (od does not follow redirects)" : null,
            Snippet(body),
            response.ReasonPhrase,
            ((HttpStatusCode)status).ToString());

        return new CliException(exitCode, $"{kind} ({label}): {text}", problem is null ? null : body);
    }

    /// <summary>A 2xx whose body is not the documented shape: the service and this od disagree, which is not the caller's fault but is not success either.</summary>
    public static T Parse<T>(byte[] body, JsonTypeInfo<T> type, int status)
    {
        try
        {
            var value = JsonSerializer.Deserialize(body, type);
            if (value is not null)
            {
                return value;
            }
        }
        catch (JsonException)
        {
        }

        throw new CliException(ExitCodes.Refused, $"the service answered {status} with a body that is not a {type.Type.Name}: {Snippet(body) ?? "(empty)"}");
    }

    public static CliException Unreachable(Uri baseUrl, Exception error) =>
        new(ExitCodes.Unreachable, $"service unreachable at {baseUrl.GetLeftPart(UriPartial.Authority)}: {Describe(error)}");

    public static CliException TimedOut(Uri baseUrl, TimeSpan timeout) =>
        new(ExitCodes.Unreachable, $"service unreachable at {baseUrl.GetLeftPart(UriPartial.Authority)}: no answer within {timeout.TotalSeconds:0} s");

    private static string Describe(Exception error)
    {
        // The innermost message is the useful one ("Connection refused", "Name or service not known").
        var inner = error;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner.Message;
    }

    private static Problem? TryReadProblem(byte[] body)
    {
        if (body.Length == 0 || body[0] != (byte)'{')
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(body, OdJsonContext.Default.Problem);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Snippet(byte[] body)
    {
        if (body.Length == 0)
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, SnippetLength * 4)).Trim();
        var newline = text.IndexOfAny(['\r', '\n']);
        if (newline >= 0)
        {
            text = text[..newline];
        }

        return text.Length > SnippetLength ? text[..SnippetLength] + "…" : text.Length == 0 ? null : text;
    }

    private static string FirstNonEmpty(params string?[] candidates) =>
        candidates.FirstOrDefault(c => !string.IsNullOrWhiteSpace(c)) ?? "";
}
