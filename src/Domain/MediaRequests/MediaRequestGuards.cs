using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Domain.MediaRequests;

/// <summary>The refusals every command on an ended request shares, checked before anything is read or written.</summary>
internal static class MediaRequestGuards
{
    public static void RefuseIfEnded(MediaRequest request)
    {
        if (MediaRequestStatuses.IsTerminal(request.Status)) throw Ended(request);
    }

    /// <summary>A fulfilled request still takes a fulfil (the same bytes are answered idempotently); failed or cancelled ones do not.</summary>
    public static void RefuseIfEndedUnfulfilled(MediaRequest request)
    {
        if (request.Status is MediaRequestStatuses.Cancelled or MediaRequestStatuses.Failed) throw Ended(request);
    }

    private static DomainException Ended(MediaRequest request) =>
        new(DomainErrorKind.Conflict, ErrorCodes.MediaRequestTerminal, $"media request is {request.Status}",
            new Dictionary<string, object?> { ["status"] = request.Status });
}
