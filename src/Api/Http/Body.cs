using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.Validation;

namespace OpenDesign.Workflows.Api.Http;

/// <summary>
/// A handler parameter for a JSON request body bound to its Contracts record and judged by the record's
/// <see cref="IBodyValidator{T}"/>: the handler only ever sees a valid <see cref="Value"/>. The framework's own body
/// binding is not used because it answers a wrong type or a bad string with its own text; here every refusal is a 400
/// problem naming the field, a body over <c>Od:MaxJsonBodyBytes</c> is a 413, and the whole body is checked for
/// invalid text first. The endpoint's metadata (<see cref="JsonBodyType"/>) names the record, so OpenAPI documents it.
/// </summary>
internal sealed class Body<T> : IBindableFromHttpContext<Body<T>>, IEndpointParameterMetadataProvider where T : class
{
    private Body(T value) => Value = value;

    public T Value { get; }

    public static async ValueTask<Body<T>?> BindAsync(HttpContext context, ParameterInfo parameter) => new(await ReadAsync(context));

    /// <summary>Reads and judges the body; for handlers that take JSON as one of several forms.</summary>
    public static async Task<T> ReadAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var json = await ReadBytesAsync(context.Request, services.GetRequiredService<OdOptions>().MaxJsonBodyBytes);
        return BodyBinder.Bind(json.Span, services.GetRequiredService<IBodyValidator<T>>());
    }

    /// <summary>
    /// Names the record for OpenAPI. Not <c>AcceptsMetadata</c>: routing would then answer another content type with
    /// its own bare 415 before <see cref="RequestBodyTypeMiddleware"/> can say what to send.
    /// </summary>
    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) => builder.Metadata.Add(new JsonBodyType(typeof(T)));

    private static async Task<ReadOnlyMemory<byte>> ReadBytesAsync(HttpRequest request, int maxBytes)
    {
        if (request.ContentLength > maxBytes) throw TooLarge(maxBytes);
        var ct = request.HttpContext.RequestAborted;
        // A declared length is read in one buffer of that size, and no further: the server ends the body there, so probing
        // for more would only grow the buffer (it did, to 4 KiB for a 61-byte body: 40% of a generate's allocations).
        // Without a length the buffer grows up to the limit.
        var declared = request.ContentLength;
        var buffer = new byte[declared is { } size ? (int)size : 4096];
        var length = 0;
        while (length < declared || declared is null)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length >= maxBytes)
                {
                    if (await request.Body.ReadAsync(new byte[1], ct) == 0) break;
                    throw TooLarge(maxBytes);
                }
                Array.Resize(ref buffer, Math.Min(maxBytes, Math.Max(4096, buffer.Length * 2)));
            }
            var read = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
            if (read == 0) break;
            length += read;
        }
        return buffer.AsMemory(0, length);
    }

    private static DomainException TooLarge(int maxBytes) =>
        new(DomainErrorKind.TooLarge, ErrorCodes.PayloadTooLarge, $"the JSON body is larger than the limit of {maxBytes} bytes");
}

/// <summary>Endpoint metadata: the endpoint takes a JSON body of this Contracts record (see <see cref="Body{T}"/>).</summary>
public sealed record JsonBodyType(Type Type);
