using System;
using System.Collections.Generic;
using Standing.V1;

namespace Standing
{
    /// <summary>The status codes of the C ABI (<c>standing_status</c>); values never change.</summary>
    public enum StandingStatus
    {
        /// <summary>Success.</summary>
        Ok = 0,
        /// <summary>A bad argument, invalid UTF-8, or an event the engine refuses (bad field, wrong currency, undeclared attribute).</summary>
        InvalidArgument = 1,
        /// <summary>Unknown customer, program or tier.</summary>
        NotFound = 2,
        /// <summary>The customer is already enrolled.</summary>
        AlreadyExists = 3,
        /// <summary>An event older than the late-event horizon or before enrolment; an option out of range.</summary>
        OutOfRange = 4,
        /// <summary>The operation does not fit the engine's state (e.g. a snapshot taken under another policy).</summary>
        FailedPrecondition = 5,
        /// <summary>The policy does not parse or validate; the message starts with the field path.</summary>
        PolicyError = 6,
        /// <summary>Bytes that are not a valid serialized message, or a corrupt snapshot.</summary>
        MalformedMessage = 7,
        /// <summary>An input larger than the engine's maximum message size.</summary>
        TooLarge = 8,
        /// <summary>A file could not be opened, read or written.</summary>
        IOError = 9,
        /// <summary>Not supported by this build of the library.</summary>
        Unimplemented = 10,
        /// <summary>Memory allocation failed in the library.</summary>
        OutOfMemory = 11,
        /// <summary>A bug in the library; the message says more.</summary>
        Internal = 12,
        /// <summary>The caller's role may not do this (a credit approval by a role the step does not allow, a
        /// limit increase by a role that may not grant one).</summary>
        PermissionDenied = 13,
    }

    /// <summary>
    /// An error reported by the engine: the base class of one exception type per
    /// status code. Status codes this binding does not know (a newer library)
    /// are thrown as a plain <see cref="StandingException"/>.
    /// </summary>
    public class StandingException : Exception
    {
        private static readonly IReadOnlyList<Transition> NoTransitions = Array.Empty<Transition>();

        /// <summary>Creates an exception for <paramref name="status"/> with the engine's message.</summary>
        public StandingException(StandingStatus status, string message)
            : base(string.IsNullOrEmpty(message) ? StandingLibrary.StatusName(status) : message)
        {
            Status = status;
        }

        /// <summary>The C ABI status code.</summary>
        public StandingStatus Status { get; }

        /// <summary>The C enumerator name of <see cref="Status"/>, e.g. <c>STANDING_NOT_FOUND</c>.</summary>
        public string StatusName => StandingLibrary.StatusName(Status);

        /// <summary>
        /// For <see cref="Engine.ApplyBatch(System.Collections.Generic.IEnumerable{Event})"/>: the
        /// number of events applied before the failing one (they stay applied). 0 otherwise.
        /// </summary>
        public int Applied { get; internal set; }

        /// <summary>
        /// For <see cref="Engine.ApplyBatch(System.Collections.Generic.IEnumerable{Event})"/>: the
        /// tier changes caused by the events applied before the failing one. Empty otherwise.
        /// </summary>
        public IReadOnlyList<Transition> Transitions { get; internal set; } = NoTransitions;

        /// <summary>The exception of the right type for a status code and message.</summary>
        public static StandingException For(StandingStatus status, string message) => status switch
        {
            StandingStatus.InvalidArgument => new InvalidArgumentException(message),
            StandingStatus.NotFound => new NotFoundException(message),
            StandingStatus.AlreadyExists => new AlreadyExistsException(message),
            StandingStatus.OutOfRange => new OutOfRangeException(message),
            StandingStatus.FailedPrecondition => new FailedPreconditionException(message),
            StandingStatus.PolicyError => new PolicyException(message),
            StandingStatus.MalformedMessage => new MalformedMessageException(message),
            StandingStatus.TooLarge => new TooLargeException(message),
            StandingStatus.IOError => new StorageException(message),
            StandingStatus.Unimplemented => new UnimplementedException(message),
            StandingStatus.OutOfMemory => new StandingOutOfMemoryException(message),
            StandingStatus.Internal => new InternalErrorException(message),
            StandingStatus.PermissionDenied => new PermissionDeniedException(message),
            _ => new StandingException(status, message),
        };
    }

    /// <summary>STANDING_INVALID_ARGUMENT: a bad argument (empty or invalid UTF-8 identifier, bad page size or token)
    /// or an event the engine refuses (bad field, wrong currency, undeclared attribute).</summary>
    public sealed class InvalidArgumentException : StandingException
    {
        /// <summary>Creates the exception.</summary>
        public InvalidArgumentException(string message) : base(StandingStatus.InvalidArgument, message) { }
    }

    /// <summary>STANDING_NOT_FOUND: unknown customer, program or tier.</summary>
    public sealed class NotFoundException : StandingException
    {
        /// <summary>Creates the exception.</summary>
        public NotFoundException(string message) : base(StandingStatus.NotFound, message) { }
    }

    /// <summary>STANDING_ALREADY_EXISTS: the customer is already enrolled.</summary>
    public sealed class AlreadyExistsException : StandingException
    {
        /// <summary>Creates the exception.</summary>
        public AlreadyExistsException(string message) : base(StandingStatus.AlreadyExists, message) { }
    }

    /// <summary>STANDING_OUT_OF_RANGE: an event older than the late-event horizon or before
    /// enrolment, or an option value out of range.</summary>
    public sealed class OutOfRangeException : StandingException
    {
        /// <summary>Creates the exception.</summary>
        public OutOfRangeException(string message) : base(StandingStatus.OutOfRange, message) { }
    }

    /// <summary>STANDING_FAILED_PRECONDITION: e.g. a snapshot taken under another policy.</summary>
    public sealed class FailedPreconditionException : StandingException
    {
        /// <summary>Creates the exception.</summary>
        public FailedPreconditionException(string message) : base(StandingStatus.FailedPrecondition, message) { }
    }

    /// <summary>STANDING_POLICY_ERROR: the policy does not parse or validate; the message
    /// starts with the path of the offending field.</summary>
    public sealed class PolicyException : StandingException
    {
        /// <summary>Creates the exception.</summary>
        public PolicyException(string message) : base(StandingStatus.PolicyError, message) { }
    }

    /// <summary>STANDING_MALFORMED_MESSAGE: bytes that are not a valid serialized message
    /// (garbage, truncated), or a corrupt snapshot.</summary>
    public sealed class MalformedMessageException : StandingException
    {
        /// <summary>Creates the exception.</summary>
        public MalformedMessageException(string message) : base(StandingStatus.MalformedMessage, message) { }
    }

    /// <summary>STANDING_TOO_LARGE: an input larger than the engine's
    /// <see cref="EngineOptions.MaxMessageBytes"/>.</summary>
    public sealed class TooLargeException : StandingException
    {
        /// <summary>Creates the exception.</summary>
        public TooLargeException(string message) : base(StandingStatus.TooLarge, message) { }
    }

    /// <summary>STANDING_IO_ERROR: a snapshot file could not be opened, read or written.</summary>
    public sealed class StorageException : StandingException
    {
        /// <summary>Creates the exception.</summary>
        public StorageException(string message) : base(StandingStatus.IOError, message) { }
    }

    /// <summary>STANDING_UNIMPLEMENTED: not supported by this build of the library.</summary>
    public sealed class UnimplementedException : StandingException
    {
        /// <summary>Creates the exception.</summary>
        public UnimplementedException(string message) : base(StandingStatus.Unimplemented, message) { }
    }

    /// <summary>STANDING_OUT_OF_MEMORY: an allocation failed inside the library.</summary>
    public sealed class StandingOutOfMemoryException : StandingException
    {
        /// <summary>Creates the exception.</summary>
        public StandingOutOfMemoryException(string message) : base(StandingStatus.OutOfMemory, message) { }
    }

    /// <summary>STANDING_INTERNAL: a bug in the library; the message says more.</summary>
    public sealed class InternalErrorException : StandingException
    {
        /// <summary>Creates the exception.</summary>
        public InternalErrorException(string message) : base(StandingStatus.Internal, message) { }
    }

    /// <summary>STANDING_PERMISSION_DENIED: the caller's role may not do this, e.g. a
    /// <see cref="CreditApproval"/> by a role the approval step does not allow, or a
    /// <see cref="CreditLimitIncrease"/> by a role not in the policy's <c>credit.limit_approvers</c>.
    /// The engine is unchanged.</summary>
    public sealed class PermissionDeniedException : StandingException
    {
        /// <summary>Creates the exception.</summary>
        public PermissionDeniedException(string message) : base(StandingStatus.PermissionDenied, message) { }
    }
}
