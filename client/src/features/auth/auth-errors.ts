import { describeApiError } from '../../app/api.ts';
import { ReplicaPortError } from '../../app/replica-port.ts';

/** The sentence a sign-in screen shows for any failure. */
export function describeSignInError(error: unknown): string {
  if (error instanceof ReplicaPortError) {
    if (error.code === 'wrong-password') {
      return 'That password does not unlock the data on this device. If you changed your password on another device, unlock here with the previous one, or erase this device and sync again.';
    }
    return error.message;
  }
  return describeApiError(error);
}
