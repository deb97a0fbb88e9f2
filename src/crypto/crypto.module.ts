import { Global, Module } from '@nestjs/common';
import { KeyEncryptionService } from './key-encryption.service';

@Global()
@Module({ providers: [KeyEncryptionService], exports: [KeyEncryptionService] })
export class CryptoModule {}
