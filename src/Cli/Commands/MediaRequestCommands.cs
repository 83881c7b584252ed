using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using OpenDesign.Workflows.Cli.Http;
using OpenDesign.Workflows.Cli.Output;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Cli.Commands;

/// <summary><c>od media requests list|get|fulfill|cancel|fail</c>: how an operator or orchestrator answers a run's media requests.</summary>
internal static class MediaRequestCommands
{
    public static Command Create() =>
        new Command("requests", "List, inspect, fulfil, fail or cancel media requests").With(List(), Get(), Fulfill(), Cancel(), Fail());

    private static Command List()
    {
        var run = new Option<string>("--run") { Description = "The run whose requests to list", HelpName = "id", Required = true };
        return new Command("list", "List all media requests of a run (every page)").With(run).WithHandler(async (context, cancellationToken) =>
        {
            var all = new List<MediaRequest>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            string? cursor = null;
            do
            {
                var path = ApiRoutes.Runs.MediaRequestsPath(context.Get(run)!) + QueryString.Of(("cursor", cursor));
                var page = (await context.Service.GetAsync(path, OdJsonContext.Default.MediaRequestList, cancellationToken)).Value;
                all.AddRange(page.Requests);
                cursor = page.NextCursor;
                if (cursor is not null && !seen.Add(cursor))
                {
                    throw new CliException(ExitCodes.Refused, $"the service returned cursor '{cursor}' twice; stopping instead of looping");
                }
            }
            while (cursor is not null);

            if (context.Json)
            {
                // All pages as one list, so a program never has to page itself.
                context.WriteJson(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new MediaRequestList(all), OdJsonContext.Default.MediaRequestList));
            }
            else
            {
                Views.MediaRequests(context.Out, all);
            }

            return ExitCodes.Ok;
        });
    }

    private static Command Get()
    {
        var id = CommandHandlers.IdArgument("id", "Media request id");
        return new Command("get", "Show a media request").With(id).WithHandler(async (context, cancellationToken) =>
        {
            var result = await context.Service.GetAsync(ApiRoutes.MediaRequests.ItemPath(context.Get(id)), OdJsonContext.Default.MediaRequest, cancellationToken);
            context.Print(result, Views.MediaRequest);
            return ExitCodes.Ok;
        });
    }

    /// <remarks>
    /// The bytes go through the API, never straight into the service's data root: the service checks the
    /// request's state, the path and the size, writes atomically and records the hash.
    /// </remarks>
    private static Command Fulfill()
    {
        var id = CommandHandlers.IdArgument("id", "Media request id");
        var file = new Option<string>("--file") { Description = "Local file whose bytes fulfil the request", HelpName = "path", Required = true };
        return new Command("fulfill", "Fulfil a media request by uploading a local file").With(id, file).WithHandler(async (context, cancellationToken) =>
        {
            var path = context.Get(file)!;
            await using var stream = OpenUpload(path);
            using var content = new StreamContent(stream);
            content.Headers.ContentType = new MediaTypeHeaderValue(ContentTypes.ForFile(path));
            content.Headers.ContentLength = stream.Length;

            var result = await context.Service.SendAsync(
                HttpMethod.Post,
                ApiRoutes.MediaRequests.FulfillPath(context.Get(id)),
                content,
                OdJsonContext.Default.MediaRequest,
                cancellationToken,
                headers => headers.TryAddWithoutValidation("X-File-Name", HeaderFileName(Path.GetFileName(path))));
            context.Print(result, Views.MediaRequest);
            return ExitCodes.Ok;
        });
    }

    private static Command Cancel()
    {
        var id = CommandHandlers.IdArgument("id", "Media request id");
        return new Command("cancel", "Cancel a media request that has not ended").With(id).WithHandler(async (context, cancellationToken) =>
        {
            var result = await context.Service.PostAsync(ApiRoutes.MediaRequests.CancelPath(context.Get(id)), content: null, OdJsonContext.Default.MediaRequest, cancellationToken);
            context.Print(result, (w, r) => w.WriteLine(Views.MediaRequestLine(r)));
            return ExitCodes.Ok;
        });
    }

    private static Command Fail()
    {
        var id = CommandHandlers.IdArgument("id", "Media request id");
        var message = new Option<string>("--message") { Description = "Why the request failed", HelpName = "text", Required = true };
        var code = new Option<string>("--code") { Description = "A stable failure code", HelpName = "code" };
        return new Command("fail", "Mark a media request as failed").With(id, message, code).WithHandler(async (context, cancellationToken) =>
        {
            var body = ServiceClient.JsonBody(new FailMediaRequestRequest(context.Get(message)!, context.Get(code)), OdJsonContext.Default.FailMediaRequestRequest);
            var result = await context.Service.PostAsync(ApiRoutes.MediaRequests.FailPath(context.Get(id)), body, OdJsonContext.Default.MediaRequest, cancellationToken);
            context.Print(result, (w, r) => w.WriteLine(Views.MediaRequestLine(r)));
            return ExitCodes.Ok;
        });
    }

    private static FileStream OpenUpload(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 81920, useAsync: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage($"cannot read --file '{path}': {e.Message}");
        }
    }

    /// <summary>
    /// HTTP header values are ASCII; a name with other characters is sent percent-encoded (UTF-8) so it survives.
    /// The service sanitises the name anyway and stores the bytes under the request's own output name.
    /// </summary>
    private static string HeaderFileName(string name) =>
        name.All(c => c is >= ' ' and <= '~') ? name : Uri.EscapeDataString(name);
}
